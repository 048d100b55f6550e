/**
 * Snowflakes shaped like Discord's: ms since the Discord epoch in the top bits,
 * then worker/process ids and an increment. discord.js derives createdAt from
 * them and @discordjs/rest only treats 17–19 digit path segments as ids when
 * it computes rate-limit buckets, so fake ids must look real.
 */
const DISCORD_EPOCH = 1_420_070_400_000n;
const WORKER_AND_PROCESS = 1n << 17n;

let lastTimestamp = 0n;
let increment = 0n;

export function snowflake(at: number = Date.now()): string {
  let timestamp = BigInt(at) - DISCORD_EPOCH;
  // Keep ids strictly increasing even when several are minted in one ms, or the
  // clock is asked for an earlier time: message ordering relies on id order.
  if (timestamp < lastTimestamp) timestamp = lastTimestamp;
  increment = timestamp === lastTimestamp ? (increment + 1n) & 0xfffn : 0n;
  if (timestamp === lastTimestamp && increment === 0n) timestamp += 1n;
  lastTimestamp = timestamp;
  return ((timestamp << 22n) | WORKER_AND_PROCESS | increment).toString();
}

export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** The shard Discord routes a guild's events to. */
export function shardIdForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** A fresh guild id that Discord routes to `shard` (minted until the clock reaches a millisecond that does). */
export function guildIdOnShard(shard: number, shardCount: number): string {
  let id = snowflake();
  while (shardIdForGuild(id, shardCount) !== shard) id = snowflake();
  return id;
}

/** One fresh guild id per shard, in shard order. */
export function distinctShardGuilds(shardCount: number): string[] {
  return Array.from({ length: shardCount }, (_, shard) => guildIdOnShard(shard, shardCount));
}
