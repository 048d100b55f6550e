import { Client, GatewayIntentBits, Options, Partials } from "discord.js";
import type { Config } from "../config/config.js";
import type { Logger } from "../logging/logger.js";
import { NO_MENTIONS } from "./reply.js";

/** The discord.js client, pointed at DISCORD_API_BASE (Discord, an HTTP proxy, or the loopback test server). */
export function createDiscordClient(config: Config, log: Logger): Client {
  const client = new Client({
    // Server Members is privileged (enable it on the application's Bot page): it brings member join/leave events
    // and the member list that role resyncs compare against.
    intents: config.membersIntent
      ? [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers]
      : [GatewayIntentBits.Guilds],
    partials: [Partials.GuildMember],
    rest: { api: config.discordApiBase },
    // This process's shards: a slice of SHARD_COUNT (SHARD_IDS), all of them, or Discord's recommended count.
    ...(config.shards === "auto"
      ? { shards: "auto" as const }
      : { shards: config.shards.ids, shardCount: config.shards.count }),
    // Khitomer never reads messages, reactions, presences, emoji or voice states from the cache: across thousands
    // of servers those caches would only hold memory.
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: 0,
      ReactionManager: 0,
      PresenceManager: 0,
      VoiceStateManager: 0,
      GuildEmojiManager: 0,
      GuildStickerManager: 0,
      StageInstanceManager: 0,
      GuildInviteManager: 0,
      ThreadMemberManager: 0,
    }),
    // A default for every message the client sends; the reply path sets it per message as well.
    allowedMentions: NO_MENTIONS,
  });
  client.on("error", (error) => log.error({ err: error }, "discord client error"));
  client.on("warn", (message) => log.warn(message));
  client.on("shardError", (error, shardId) => log.warn({ err: error, shardId }, "gateway connection error"));
  client.on("shardDisconnect", (event, shardId) => log.info({ code: event.code, shardId }, "gateway disconnected"));
  return client;
}
