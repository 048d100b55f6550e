import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningBot } from "../../src/app.js";
import { loadConfig } from "../../src/config/config.js";
import { guildIdOnShard, snowflake } from "../loopback/server.js";
import { callbackData, startTestBot, type TestBot } from "../support/bot-harness.js";

// Two bot processes share one bot over two shards (SHARD_IDS/SHARD_COUNT): each handles only its own servers.

let t: TestBot;
let second: RunningBot;
/** A server that falls on shard 1 when the main test servers may be anywhere. */
let onShardOne: { id: string; channel: string };

beforeAll(async () => {
  const id = guildIdOnShard(1, 2);
  onShardOne = { id, channel: snowflake() };
  t = await startTestBot({
    shardCount: 2,
    env: { SHARD_IDS: "0", SHARD_COUNT: "2" },
    extraGuilds: [{ id, name: "Far Fleet", channels: [{ id: onShardOne.channel, name: "far" }] }],
  });
  second = await t.launchAnother({ SHARD_IDS: "1", SHARD_COUNT: "2" });
});
afterAll(async () => {
  await second?.stop();
  await t?.stop();
});

describe("sharding", () => {
  it("each process connects only its shards", () => {
    expect([...t.bot.client.ws.shards.keys()]).toEqual([0]);
    expect([...second.client.ws.shards.keys()]).toEqual([1]);
    expect(second.client.guilds.cache.has(onShardOne.id)).toBe(true);
    expect(t.bot.client.guilds.cache.has(onShardOne.id)).toBe(false);
  });

  it("a server's interactions are answered once, by the process that owns its shard", async () => {
    const handle = t.command(
      "faction",
      "info",
      { name: "kdf" },
      { guildId: onShardOne.id, channelId: onShardOne.channel },
    );
    expect((await callbackData(handle)).embeds[0].title).toBe("Klingon Empire");
    await handle.settled();
    const callbacks = t.discord.requests.filter((r) => r.route.startsWith(`/interactions/${handle.payload.id}/`));
    expect(callbacks).toHaveLength(1);
  });
});

describe("SHARD_IDS and SHARD_COUNT", () => {
  it("read as a slice of the shards, or all of them, or Discord's count", () => {
    expect(loadConfig({ SHARD_IDS: "0-3", SHARD_COUNT: "8" }).shards).toEqual({ ids: [0, 1, 2, 3], count: 8 });
    expect(loadConfig({ SHARD_IDS: "1,3,5-6", SHARD_COUNT: "8" }).shards).toEqual({ ids: [1, 3, 5, 6], count: 8 });
    expect(loadConfig({ SHARD_COUNT: "3" }).shards).toEqual({ ids: [0, 1, 2], count: 3 });
    expect(loadConfig({}).shards).toBe("auto");
  });

  it("refuse a slice without a count, or ids beyond it, naming the setting", () => {
    expect(() => loadConfig({ SHARD_IDS: "0-3" })).toThrow(/SHARD_IDS needs SHARD_COUNT/);
    expect(() => loadConfig({ SHARD_IDS: "0-8", SHARD_COUNT: "8" })).toThrow(
      /SHARD_IDS lists shard 8, but SHARD_COUNT is 8/,
    );
    expect(() => loadConfig({ SHARD_IDS: "a-b", SHARD_COUNT: "8" })).toThrow(/SHARD_IDS must list shard ids or ranges/);
  });
});
