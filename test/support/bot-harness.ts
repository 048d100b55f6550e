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
import {
  type ChannelSeed,
  type GuildSeed,
  type InteractionHandle,
  type InteractOptions,
  LoopbackDiscord,
  type MemberSeed,
  type RoleSeed,
  snowflake,
} from "../loopback/server.js";
import { tempDir } from "./temp-dir.js";
import { freshDatabase } from "./test-database.js";

/** The audit-log reason of role changes a test makes "by hand", as a moderator would in Discord. */
export const BY_HAND = "by hand";

/** "agenda add" names a subcommand in a group; "info" a plain subcommand. */
function subcommandPath(subcommand: string | undefined): { subcommand?: string; subcommandGroup?: string } {
  if (!subcommand) return {};
  const [first, second] = subcommand.split(" ");
  return second ? { subcommandGroup: first as string, subcommand: second } : { subcommand: first as string };
}

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

/** What a test may add to the main server ("Khitomer Fleet") without changing its defaults. */
export interface GuildExtras {
  /** More roles (besides @everyone and the bot's role). */
  roles?: RoleSeed[];
  /** More members after alice (the owner) and bob. */
  members?: MemberSeed[];
  /** More text channels after #council. */
  channels?: ChannelSeed[];
  /** Permissions of the bot's managed role (default: a typical invite, Manage Roles included). */
  botPermissions?: bigint | string;
  /** Position of the bot's managed role (default: above every seeded role). */
  botRolePosition?: number;
}

export interface TestBotOptions {
  clock?: Clock;
  commands?: readonly CommandModule[];
  /** Additions to the main server. */
  guild?: GuildExtras;
  /** Whole extra servers, seeded as given (for example one where the bot lacks Manage Roles). */
  extraGuilds?: GuildSeed[];
  /** The privileged Server Members intent (member events, member list); default true, as in production. */
  membersIntent?: boolean;
  /** More settings, as the environment would give them (OPS_PORT...). */
  env?: Record<string, string>;
  /** Shards the loopback Discord recommends and routes guild events by. */
  shardCount?: number;
  /** Discord's 3 s deadline for the first answer; a test of correctness under load may give itself more. */
  callbackDeadlineMs?: number;
}

/** Who acts in an interaction, and optionally with which roles or permissions (default: seeded state). */
export type Actor = {
  discord?: LoopbackDiscord;
  guildId?: string;
  channelId?: string;
  user?: string;
  roles?: string[];
  memberPermissions?: bigint | string;
};

/**
 * The real bot (startBot, the real discord.js client) logged into a loopback Discord with two servers, on a copy
 * of a migrated SQLite file with the canon imported. Log lines are kept as parsed JSON.
 */
export async function startTestBot(options: TestBotOptions = {}) {
  const extras = options.guild ?? {};
  const guildId = snowflake();
  const otherGuildId = snowflake();
  const channelId = snowflake();
  const otherChannelId = snowflake();
  const alice = { id: snowflake(), username: "alice" };
  const bob = { id: snowflake(), username: "bob" };
  const discord = await LoopbackDiscord.start({
    ...(options.shardCount ? { shardCount: options.shardCount } : {}),
    ...(options.callbackDeadlineMs ? { callbackDeadlineMs: options.callbackDeadlineMs } : {}),
    guilds: [
      {
        id: guildId,
        name: "Khitomer Fleet",
        ownerId: alice.id,
        channels: [{ id: channelId, name: "council" }, ...(extras.channels ?? [])],
        members: [{ user: alice }, { user: bob }, ...(extras.members ?? [])],
        ...(extras.roles ? { roles: extras.roles } : {}),
        ...(extras.botPermissions !== undefined ? { botPermissions: extras.botPermissions } : {}),
        ...(extras.botRolePosition !== undefined ? { botRolePosition: extras.botRolePosition } : {}),
      },
      {
        id: otherGuildId,
        name: "Other Fleet",
        channels: [{ id: otherChannelId, name: "general" }],
        members: [{ user: bob }],
      },
      ...(options.extraGuilds ?? []),
    ],
  });
  const { dir, cleanup } = tempDir();
  const fresh = await freshDatabase(inject("templateDatabase"), dir);
  const database = fresh.url;
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
  const configEnv: Record<string, string> = {
    DISCORD_API_BASE: discord.apiBase,
    DATABASE_URL: database,
    LOG_LEVEL: "debug",
    DISCORD_MEMBERS_INTENT: options.membersIntent === false ? "false" : "true",
    ...options.env,
  };
  const config = loadConfig(configEnv);
  const log = createLogger({ level: "debug", pretty: false, destination, secrets: [discord.token] });
  const launch = (env: Record<string, string> = {}) =>
    startBot({
      config: Object.keys(env).length > 0 ? loadConfig({ ...configEnv, ...env }) : config,
      log,
      token: discord.token,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.commands ? { commands: options.commands } : {}),
    });
  let bot: RunningBot;
  try {
    bot = await launch();
  } catch (error) {
    await discord.close();
    await fresh.drop();
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
    /** The running bot; a new one after restart(). */
    get bot(): RunningBot {
      return bot;
    },
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
      as: Actor = {},
      interact: InteractOptions = {},
    ) {
      return discord.interact(
        chatInput({
          ...base,
          ...as,
          command: definition(name),
          ...subcommandPath(subcommand),
          options: values,
        }),
        interact,
      );
    },
    autocomplete(name: string, subcommand: string | undefined, focused: string, value: string, as: Actor = {}) {
      return discord.interact(
        autocomplete({
          ...base,
          ...as,
          command: definition(name),
          ...subcommandPath(subcommand),
          focused,
          value,
        }),
      );
    },
    click(message: APIMessage, customId: string, as: Actor = {}) {
      return discord.interact(button({ ...base, ...as, message, customId }));
    },
    select(message: APIMessage, customId: string, values: string[], as: Actor = {}) {
      return discord.interact(stringSelect({ ...base, ...as, message, customId, values }));
    },
    /**
     * A moderator adds or removes a role by hand in Discord, not through the bot. The loopback records the call
     * with the audit-log reason BY_HAND, so `botRequests()` can leave it out.
     */
    async changeRoleByHand(guild: string, userId: string, roleId: string, change: "add" | "remove") {
      const response = await fetch(`${discord.apiBase}/v10/guilds/${guild}/members/${userId}/roles/${roleId}`, {
        method: change === "add" ? "PUT" : "DELETE",
        headers: { authorization: `Bot ${discord.token}`, "x-audit-log-reason": BY_HAND },
      });
      if (!response.ok) throw new Error(`changing a role by hand failed: ${response.status}`);
    },
    /** REST calls the bot made (changes made by hand left out), from `since` (an index into discord.requests). */
    botRequests(since = 0) {
      return discord.requests.slice(since).filter((r) => r.headers["x-audit-log-reason"] !== BY_HAND);
    },
    /**
     * Stops the bot and starts a new one on the same database file and loopback Discord, as after a deploy or a
     * crash. `whileDown` runs in between: change the world the bot will find when it comes back.
     */
    /**
     * A second bot process on the same database file and loopback Discord (another shard or a second machine in
     * production). The caller stops it.
     */
    launchAnother(env: Record<string, string> = {}) {
      return launch(env);
    },
    async restart(whileDown?: () => void | Promise<void>) {
      await bot.stop();
      await whileDown?.();
      bot = await launch();
      return bot;
    },
    async stop() {
      await bot.stop();
      await discord.close();
      await fresh.drop();
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
