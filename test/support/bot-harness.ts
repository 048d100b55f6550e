import { copyFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import type { APIMessage } from "discord.js";
import { inject } from "vitest";
import { commands as allCommands } from "../../commands/index.js";
import { type RunningBot, startBot } from "../../src/app.js";
import { loadConfig } from "../../src/config/config.js";
import type { CommandModule } from "../../src/discord/command-module.js";
import { createLogger } from "../../src/logging/logger.js";
import type { Clock } from "../../src/time/clock.js";
import { autocomplete, button, chatInput, type OptionValue, stringSelect } from "../loopback/interactions.js";
import { type InteractionHandle, LoopbackDiscord, snowflake } from "../loopback/server.js";
import { tempDir } from "./temp-dir.js";

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(private current = new Date("2026-11-21T18:00:00Z")) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface TestBotOptions {
  clock?: Clock;
  commands?: readonly CommandModule[];
}

/**
 * The real bot (startBot, the real discord.js client) logged into a loopback Discord with two servers, on a copy
 * of a migrated SQLite file with the canon imported. Log lines are kept as parsed JSON.
 */
export async function startTestBot(options: TestBotOptions = {}) {
  const guildId = snowflake();
  const otherGuildId = snowflake();
  const channelId = snowflake();
  const otherChannelId = snowflake();
  const alice = { id: snowflake(), username: "alice" };
  const bob = { id: snowflake(), username: "bob" };
  const discord = await LoopbackDiscord.start({
    guilds: [
      {
        id: guildId,
        name: "Khitomer Fleet",
        ownerId: alice.id,
        channels: [{ id: channelId, name: "council" }],
        members: [{ user: alice }, { user: bob }],
      },
      {
        id: otherGuildId,
        name: "Other Fleet",
        channels: [{ id: otherChannelId, name: "general" }],
        members: [{ user: bob }],
      },
    ],
  });
  const { dir, cleanup } = tempDir();
  const database = path.join(dir, "khitomer.db");
  copyFileSync(inject("templateDatabase"), database);
  const logs: Record<string, unknown>[] = [];
  const rawLogs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) {
        rawLogs.push(line);
        logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const config = loadConfig({
    DISCORD_API_BASE: discord.apiBase,
    DATABASE_URL: `file:${database}`,
    LOG_LEVEL: "debug",
  });
  const log = createLogger({ level: "debug", pretty: false, destination, secrets: [discord.token] });
  let bot: RunningBot;
  try {
    bot = await startBot({
      config,
      log,
      token: discord.token,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.commands ? { commands: options.commands } : {}),
    });
  } catch (error) {
    await discord.close();
    cleanup();
    throw error;
  }
  const commandList = options.commands ?? allCommands;
  const definition = (name: string) => {
    const found = commandList.find((c) => c.data.name === name);
    if (!found) throw new Error(`no command ${name}`);
    return found.data as never;
  };
  const base = { discord, guildId, channelId, user: alice.id };

  return {
    discord,
    bot,
    database,
    guildId,
    otherGuildId,
    channelId,
    otherChannelId,
    alice,
    bob,
    logs,
    rawLogs,
    /** Runs a slash command as a member (alice by default) and returns the interaction's handle. */
    command(
      name: string,
      subcommand: string | undefined,
      values: Record<string, OptionValue> = {},
      as: Partial<typeof base> = {},
    ) {
      return discord.interact(
        chatInput({
          ...base,
          ...as,
          command: definition(name),
          ...(subcommand ? { subcommand } : {}),
          options: values,
        }),
      );
    },
    autocomplete(
      name: string,
      subcommand: string | undefined,
      focused: string,
      value: string,
      as: Partial<typeof base> = {},
    ) {
      return discord.interact(
        autocomplete({
          ...base,
          ...as,
          command: definition(name),
          ...(subcommand ? { subcommand } : {}),
          focused,
          value,
        }),
      );
    },
    click(message: APIMessage, customId: string, as: Partial<typeof base> = {}) {
      return discord.interact(button({ ...base, ...as, message, customId }));
    },
    select(message: APIMessage, customId: string, values: string[], as: Partial<typeof base> = {}) {
      return discord.interact(stringSelect({ ...base, ...as, message, customId, values }));
    },
    async stop() {
      await bot.stop();
      await discord.close();
      cleanup();
    },
  };
}

export type TestBot = Awaited<ReturnType<typeof startTestBot>>;

/** The callback's data, typed loosely for assertions on the JSON the bot sent. */
export async function callbackData(handle: InteractionHandle): Promise<Record<string, any>> {
  const callback = await handle.callback;
  return (callback.data ?? {}) as Record<string, any>;
}
