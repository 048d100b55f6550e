import path from "node:path";
import { REST, Routes } from "discord.js";
import pino from "pino";
import pretty from "pino-pretty";
import { LoopbackDiscord } from "../../test/loopback/server.js";
import { type RunningBot, startBot } from "../app.js";
import { loadConfig } from "../config/config.js";
import { createLogger } from "../logging/logger.js";
import { ConsoleDirectory } from "./directory.js";
import { CONSOLE_BOT, CONSOLE_GUILDS } from "./seed.js";

export interface RuntimeOptions {
  databaseUrl: string;
  logFile: string;
  verbose: boolean;
  env: NodeJS.ProcessEnv;
}

export interface ConsoleRuntime {
  discord: LoopbackDiscord;
  bot: RunningBot;
  directory: ConsoleDirectory;
  stop(): Promise<void>;
}

// Settings that point the bot at a real Discord or a real database have no say here: the console always talks to
// its own loopback server and its own database file.
const IGNORED_SETTINGS = [
  "DISCORD_TOKEN",
  "DISCORD_APPLICATION_ID",
  "DEV_GUILD_ID",
  "DISCORD_API_BASE",
  "DATABASE_URL",
];

/** The loopback Discord with the console's servers, the real bot logged into it, and its commands registered. */
export async function startConsoleRuntime(options: RuntimeOptions): Promise<ConsoleRuntime> {
  const env = Object.fromEntries(Object.entries(options.env).filter(([key]) => !IGNORED_SETTINGS.includes(key)));
  const discord = await LoopbackDiscord.start({ guilds: CONSOLE_GUILDS, botUser: CONSOLE_BOT });
  try {
    const config = loadConfig({
      ...env,
      LOG_LEVEL: env.LOG_LEVEL ?? "debug",
      DISCORD_API_BASE: discord.apiBase,
      DATABASE_URL: options.databaseUrl,
    });
    const destination = options.verbose
      ? pretty({ colorize: process.stderr.isTTY, destination: 2, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" })
      : pino.destination({ dest: path.resolve(options.logFile), mkdir: true, sync: true });
    const log = createLogger({
      level: config.logLevel,
      pretty: options.verbose,
      destination,
      secrets: [discord.token],
    });
    const bot = await startBot({ config, log, token: discord.token });
    // As deploy-commands does, so the console (and Discord's own checks) see exactly the definitions the bot serves.
    const rest = new REST({ api: discord.apiBase }).setToken(discord.token);
    await rest
      .put(Routes.applicationCommands(discord.applicationId), { body: bot.ctx.commands.map((c) => c.data) })
      .catch(async (error: unknown) => {
        await bot.stop();
        throw error;
      });
    return {
      discord,
      bot,
      directory: new ConsoleDirectory(discord, CONSOLE_GUILDS),
      async stop() {
        await bot.stop();
        await discord.close();
      },
    };
  } catch (error) {
    await discord.close();
    throw error;
  }
}
