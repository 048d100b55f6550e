import "dotenv/config";
import { parseArgs } from "node:util";
import { REST, Routes } from "discord.js";
import { commands } from "../commands/index.js";
import { ConfigError, loadConfig, requireToken } from "../src/config/config.js";

const HELP = `Usage: npm run deploy-commands -- [--dry-run]

Registers Khitomer's slash commands with Discord: to one server when DEV_GUILD_ID is set (instant, for
development), otherwise globally (every server the bot is in). Uses the same definitions the bot handles.

  --dry-run  print the JSON that would be registered; contact nobody
  --help     show this text

Settings: DISCORD_TOKEN (required), DISCORD_APPLICATION_ID (read from Discord when unset), DEV_GUILD_ID,
DISCORD_API_BASE. See .env.example.`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { "dry-run": { type: "boolean" }, help: { type: "boolean", short: "h" } } });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const body = commands.map((command) => command.data);
  if (values["dry-run"]) {
    console.log(JSON.stringify(body, null, 2));
    return;
  }
  const config = loadConfig(process.env);
  const rest = new REST({ api: config.discordApiBase }).setToken(requireToken(config));
  const applicationId = config.applicationId ?? ((await rest.get(Routes.currentApplication())) as { id: string }).id;
  const route = config.devGuildId
    ? Routes.applicationGuildCommands(applicationId, config.devGuildId)
    : Routes.applicationCommands(applicationId);
  const saved = (await rest.put(route, { body })) as { name: string }[];
  const names = saved.map((c) => `/${c.name}`).join(", ");
  console.log(
    config.devGuildId
      ? `Registered ${saved.length} commands (${names}) to server ${config.devGuildId}; they work there right away.`
      : `Registered ${saved.length} commands (${names}) globally; Discord may take up to an hour to show them everywhere.`,
  );
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
  console.error(`deploy-commands: ${message}`);
  process.exit(1);
});
