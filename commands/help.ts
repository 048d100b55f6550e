import {
  type APIApplicationCommandOption,
  type APIEmbed,
  type APIEmbedField,
  ApplicationCommandOptionType,
  InteractionContextType,
  SlashCommandBuilder,
} from "discord.js";
import type { CommandModule } from "../src/discord/command-module.js";
import { send } from "../src/discord/reply.js";

const data = new SlashCommandBuilder()
  .setName("help")
  .setDescription("What Khitomer does and how to use its commands")
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
  .toJSON();

/** One line per command, subcommand and grouped subcommand, from the same definitions registered with Discord. */
export function helpLines(commands: readonly CommandModule[]): string[] {
  const lines: string[] = [];
  const walk = (path: string, options: readonly APIApplicationCommandOption[] | undefined, description: string) => {
    const nested = (options ?? []).filter(
      (o) =>
        o.type === ApplicationCommandOptionType.Subcommand || o.type === ApplicationCommandOptionType.SubcommandGroup,
    );
    if (nested.length === 0) lines.push(`\`/${path}${usage(options)}\` — ${description}`);
    for (const option of nested)
      walk(
        `${path} ${option.name}`,
        "options" in option ? (option.options as APIApplicationCommandOption[]) : undefined,
        option.description,
      );
  };
  for (const command of commands) walk(command.data.name, command.data.options, command.data.description);
  return lines;
}

function usage(options: readonly APIApplicationCommandOption[] | undefined): string {
  return (options ?? [])
    .filter(
      (o) =>
        o.type !== ApplicationCommandOptionType.Subcommand && o.type !== ApplicationCommandOptionType.SubcommandGroup,
    )
    .map((o) => (o.required ? ` ${o.name}:` : ` [${o.name}]`))
    .join("");
}

const INTRO =
  "Lore and roleplay tools for fleets of the Khitomer Alliance. Names are forgiving: abbreviations, aliases, missing apostrophes and typos all find their entry, and autocomplete suggests as you type.";

/**
 * The help embed: one field per command (split where a command has more lines than a field holds), so that it
 * stays inside Discord's limits (1,024 characters a field, 25 fields, 6,000 in all) as commands are added.
 */
export function helpEmbed(commands: readonly CommandModule[]): APIEmbed {
  const fields: APIEmbedField[] = [];
  for (const command of commands) {
    let value = "";
    for (const line of helpLines([command])) {
      if (value.length + line.length + 1 > 1024) {
        fields.push({
          name: fields.at(-1)?.name === `/${command.data.name}` ? "\u200b" : `/${command.data.name}`,
          value,
        });
        value = "";
      }
      value = value ? `${value}\n${line}` : line;
    }
    if (value)
      fields.push({
        name: fields.some((f) => f.name === `/${command.data.name}`) ? "\u200b" : `/${command.data.name}`,
        value,
      });
  }
  return { title: "Khitomer", description: INTRO, color: 0xc9a227, fields: fields.slice(0, 25) };
}

export const help: CommandModule = {
  data,
  async execute(interaction, ctx) {
    await send(interaction, { ephemeral: true, embeds: [helpEmbed(ctx.commands)] });
  },
};
