import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import Database from "better-sqlite3";
import { afterEach, describe, expect, inject, it } from "vitest";
import { commands } from "../../commands/index.js";
import { loadConfig } from "../../src/config/config.js";
import { MIGRATIONS_DIR } from "../../src/db/database.js";
import { readMigrations } from "../../src/db/migrate.js";
import {
  DEFAULT_STOP_GRACE_MS,
  defaultStartTimeoutMs,
  formatShardIds,
  restartDelayMs,
  ShardLauncher,
  shardGroups,
} from "../../src/launcher/shard-launcher.js";
import { createLogger } from "../../src/logging/logger.js";
import { chatInput } from "../loopback/interactions.js";
import { type GuildSeed, guildIdOnShard, LoopbackDiscord, snowflake } from "../loopback/server.js";
import { ROOT, type Spawned, spawnScript } from "../support/spawn.js";
import { tempDir } from "../support/temp-dir.js";
import { freshDatabase } from "../support/test-database.js";

// `npm start` with more shards than SHARDS_PER_PROCESS: a launcher process and one child process per shard group.

const SHARDS = 4;

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** Two servers on every shard, each with one channel. */
function guildsOnEveryShard(): (GuildSeed & { channel: string; shard: number })[] {
  const guilds: (GuildSeed & { channel: string; shard: number })[] = [];
  for (let shard = 0; shard < SHARDS; shard += 1) {
    for (let n = 0; n < 2; n += 1) {
      const id = guildIdOnShard(shard, SHARDS);
      const channel = snowflake();
      guilds.push({ id, name: `Fleet ${shard}.${n}`, channels: [{ id: channel, name: "general" }], channel, shard });
    }
  }
  return guilds;
}

interface LogLine {
  msg: string;
  group?: number;
  pid?: number;
  shards?: unknown;
  [key: string]: unknown;
}

function logLines(run: Spawned): LogLine[] {
  return run
    .stdout()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);
}

const readyGroups = (run: Spawned) => logLines(run).filter((line) => line.msg === "shard group ready");

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The launcher on a loopback Discord recommending four shards, two per process. */
async function launch() {
  const guilds = guildsOnEveryShard();
  const discord = await LoopbackDiscord.start({ shardCount: SHARDS, guilds });
  cleanups.push(() => discord.close());
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const database = await freshDatabase(inject("templateDatabase"), dir);
  cleanups.push(database.drop);
  const run = spawnScript("src/main.ts", {
    cwd: dir,
    env: {
      DISCORD_TOKEN: discord.token,
      DISCORD_API_BASE: discord.apiBase,
      DATABASE_URL: database.url,
      LORE_DIR: path.join(ROOT, "data"),
      SHARDS_PER_PROCESS: "2",
    },
  });
  // If a test fails half-way, no launcher or group outlives it.
  cleanups.push(async () => {
    const pids = logLines(run)
      .map((line) => line.pid)
      .filter((pid): pid is number => typeof pid === "number");
    for (const pid of pids) if (isAlive(pid)) process.kill(pid, "SIGKILL");
    run.child.kill("SIGKILL");
  });
  return { discord, guilds, run };
}

/** Waits until `count` "shard group ready" lines have been logged. */
async function waitForReadyGroups(run: Spawned, count: number) {
  const pattern = new RegExp(`(?:"msg":"shard group ready"[^]*?){${count}}`);
  await run.waitForOutput(pattern, 40_000);
  return readyGroups(run);
}

/** Runs /faction info in every server at once and returns how many answers each interaction got. */
function answersPerGuild(discord: LoopbackDiscord, guilds: { id: string; channel: string }[]) {
  const faction = commands.find((command) => command.data.name === "faction")?.data as never;
  return Promise.all(
    guilds.map(async (guild) => {
      const handle = discord.interact(
        chatInput({
          discord,
          guildId: guild.id,
          channelId: guild.channel,
          command: faction,
          subcommand: "info",
          options: { name: "kdf" },
        }),
        { timeoutMs: 10_000 },
      );
      const callback = await handle.callback;
      expect((callback.data as { embeds: { title: string }[] }).embeds[0]?.title).toBe("Klingon Empire");
      await handle.settled();
      return discord.requests.filter((r) => r.route.startsWith(`/interactions/${handle.payload.id}/`)).length;
    }),
  );
}

const connectedShards = (discord: LoopbackDiscord) =>
  discord
    .sessions()
    .filter((session) => session.connected && session.ready)
    .map((session) => session.shard)
    .sort((a, b) => a[0] - b[0]);

describe("npm start with more shards than SHARDS_PER_PROCESS", () => {
  it("runs one process per group of shards, answers each server once, and stops them all on SIGTERM", async () => {
    const { discord, guilds, run } = await launch();
    const ready = await waitForReadyGroups(run, 2);

    // The shard count came from GET /gateway/bot; each group connected its two shards, in its own process.
    expect(ready.map((line) => [line.group, line.shards])).toEqual([
      [0, [0, 1]],
      [1, [2, 3]],
    ]);
    const launcher = logLines(run).find((line) => line.msg === "launching shard groups");
    const pids = new Set([launcher?.pid, ...ready.map((line) => line.pid)]);
    expect(pids.size).toBe(3);
    expect(connectedShards(discord)).toEqual([
      [0, SHARDS],
      [1, SHARDS],
      [2, SHARDS],
      [3, SHARDS],
    ]);
    expect(discord.sessions()).toHaveLength(SHARDS);

    expect(await answersPerGuild(discord, guilds)).toEqual(guilds.map(() => 1));

    const sessions = discord.sessions().map((session) => session.sessionId);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    for (const sessionId of sessions) {
      const close = await discord.waitForGatewayClose((c) => c.sessionId === sessionId, 5000);
      expect(close).toMatchObject({ code: 1000, initiatedBy: "client" });
    }
    expect(run.stdout().match(/"msg":"stopped"/g)).toHaveLength(3);
    expect(`${run.stdout()}${run.stderr()}`).not.toContain(discord.token);
  }, 90_000);

  it("restarts a group whose process was killed, and its shards connect again", async () => {
    const { discord, guilds, run } = await launch();
    const [first] = await waitForReadyGroups(run, 2);
    expect(first?.group).toBe(0);
    const before = new Set(discord.sessions().map((session) => session.sessionId));

    process.kill(first?.pid as number, "SIGKILL");
    const again = (await waitForReadyGroups(run, 3))[2];
    expect(again).toMatchObject({ group: 0, shards: [0, 1] });
    expect(again?.pid).not.toBe(first?.pid);
    expect(logLines(run).find((line) => line.msg === "shard group exited; restarting it")).toMatchObject({
      group: 0,
      signal: "SIGKILL",
      restartInMs: 1000,
    });

    // Shards 0 and 1 identified anew; 2 and 3 kept their sessions.
    const connected = discord.sessions().filter((session) => session.connected && session.ready);
    expect(connected.map((session) => [session.shard[0], before.has(session.sessionId)]).sort()).toEqual([
      [0, false],
      [1, false],
      [2, true],
      [3, true],
    ]);
    expect(await answersPerGuild(discord, guilds)).toEqual(guilds.map(() => 1));

    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  }, 90_000);
});

describe("a shard group that cannot start", () => {
  it("for a reason a restart cannot fix, stops the launcher with its message, once, and exit code 1", async () => {
    const discord = await LoopbackDiscord.start({ shardCount: SHARDS });
    cleanups.push(() => discord.close());
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    // A migration that failed half-way: every group refuses this database until someone repairs it.
    const file = path.join(dir, "k.db");
    const [first] = readMigrations(MIGRATIONS_DIR);
    const db = new Database(file);
    db.exec(
      `CREATE TABLE "_prisma_migrations" (id TEXT PRIMARY KEY, checksum TEXT NOT NULL, finished_at DATETIME, migration_name TEXT NOT NULL, logs TEXT, rolled_back_at DATETIME, started_at DATETIME NOT NULL DEFAULT current_timestamp, applied_steps_count INTEGER NOT NULL DEFAULT 0)`,
    );
    db.prepare(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('x', ?, ?)`).run(
      first?.checksum,
      first?.name,
    );
    db.close();
    const run = spawnScript("src/main.ts", {
      cwd: dir,
      env: {
        DISCORD_TOKEN: discord.token,
        DISCORD_API_BASE: discord.apiBase,
        DATABASE_URL: `file:${file}`,
        LORE_DIR: path.join(ROOT, "data"),
        SHARDS_PER_PROCESS: "2",
      },
    });
    cleanups.push(() => {
      run.child.kill("SIGKILL");
    });
    expect(await run.exited).toBe(1);
    expect(run.stderr().trim().split("\n")).toEqual([
      `khitomer: migration ${first?.name} failed earlier and was not rolled back; fix the database, then mark it with \`prisma migrate resolve\``,
    ]);
    expect(logLines(run).filter((line) => line.msg === "shard group started")).toHaveLength(1);
    expect(discord.sessions()).toEqual([]);
  }, 60_000);
});

// A stand-in for a shard group's process, so that a launcher can be shown groups that hang or will not stop. It
// notes each SIGTERM it gets in a file named after its pid. FAKE_GROUPS maps a group to how it behaves:
// "ready" (the default) reports ready and exits on SIGTERM; "stubborn" reports ready and ignores SIGTERM;
// "hangs-once" on its first run never reports ready and ignores SIGTERM, and behaves as "ready" after that.
const FAKE_GROUP = `
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
const dir = process.env.FAKE_DIR;
const group = process.env.KHITOMER_SHARD_GROUP;
const mode = JSON.parse(process.env.FAKE_GROUPS)[group] ?? "ready";
const firstRun = !existsSync(path.join(dir, "ran-" + group));
writeFileSync(path.join(dir, "ran-" + group), "");
const hangs = mode === "hangs-once" && firstRun;
process.on("SIGTERM", () => {
  writeFileSync(path.join(dir, "sigterm-" + process.pid), "");
  if (mode !== "stubborn" && !hangs) process.exit(0);
});
// The launcher (the test's worker) is gone: leave nothing behind.
process.on("disconnect", () => process.exit(0));
setInterval(() => undefined, 60_000);
if (!hangs) process.send({ kind: "ready", shards: process.env.SHARD_IDS.split(",").map(Number) });
`;

/** A launcher in this process running two one-shard groups of FAKE_GROUP, and the JSON lines it logs. */
function fakeLauncher(options: { groups: Record<number, string>; startTimeoutMs: number; stopGraceMs: number }) {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const script = path.join(dir, "group.mjs");
  writeFileSync(script, FAKE_GROUP);
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const launcher = new ShardLauncher({
    script,
    execArgv: [],
    env: { PATH: process.env.PATH ?? "", FAKE_DIR: dir, FAKE_GROUPS: JSON.stringify(options.groups) },
    shards: { ids: [0, 1], count: 2 },
    perProcess: 1,
    opsPort: undefined,
    log: createLogger({ level: "info", pretty: false, destination }),
    backoff: { firstMs: 200, maxMs: 1000, stableMs: 60_000 },
    startTimeoutMs: options.startTimeoutMs,
    stopGraceMs: options.stopGraceMs,
  });
  cleanups.push(async () => {
    for (const line of lines)
      if (line.msg === "shard group started" && isAlive(line.pid as number))
        process.kill(line.pid as number, "SIGKILL");
    await launcher.stop("SIGKILL").catch(() => undefined);
  });
  const gotSigterm = (pid: number | undefined) => existsSync(path.join(dir, `sigterm-${pid}`));
  return { launcher, lines, gotSigterm };
}

async function waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("a shard group that hangs or will not stop", () => {
  it("not ready within the start timeout, is killed, the next group starts, and it starts again once it has exited", async () => {
    const { launcher, lines, gotSigterm } = fakeLauncher({
      groups: { 0: "hangs-once" },
      startTimeoutMs: 2000,
      stopGraceMs: 300,
    });
    // Resolves once group 1 is ready: group 0 held it back only until its start timeout.
    await launcher.start();
    const again = await waitFor(
      () => lines.find((line) => line.msg === "shard group ready" && line.group === 0),
      "ready group 0",
    );

    const events = lines.slice(1).map((line) => [line.msg, line.group, line.pid]);
    const hung = lines[1]?.pid as number;
    const next = lines.find((line) => line.msg === "shard group started" && line.group === 1)?.pid;
    // Group 0's first process was told to stop, killed when it would not, and only then did anything else start.
    expect(events.slice(0, 5)).toEqual([
      ["shard group started", 0, hung],
      ["shard group not ready in time; stopping it to start again", 0, hung],
      ["shard group did not stop in time; killing it", 0, hung],
      ["shard group exited; restarting it", 0, hung],
      ["shard group started", 1, next],
    ]);
    expect(events.slice(5)).toHaveLength(3);
    expect(events.slice(5)).toEqual(
      expect.arrayContaining([
        ["shard group ready", 1, next],
        ["shard group started", 0, again.pid],
        ["shard group ready", 0, again.pid],
      ]),
    );
    expect(new Set([hung, next, again.pid]).size).toBe(3);
    expect(gotSigterm(hung)).toBe(true);
    expect(isAlive(hung)).toBe(false);
    expect(lines[2]).toMatchObject({ startTimeoutMs: 2000 });
    expect(lines[4]).toMatchObject({ code: null, signal: "SIGKILL", restartInMs: 200 });
    const [started, timedOut, killed] = lines.slice(1, 4).map((line) => line.time as number);
    expect((timedOut as number) - (started as number)).toBeGreaterThanOrEqual(1990);
    expect((killed as number) - (timedOut as number)).toBeGreaterThanOrEqual(290);

    await launcher.stop();
    expect(lines.at(-1)?.msg).toBe("stopped");
    expect([isAlive(next as number), isAlive(again.pid as number)]).toEqual([false, false]);
  });

  it("still running after the stop grace period, is killed, and the launcher stops saying so", async () => {
    const { launcher, lines, gotSigterm } = fakeLauncher({
      groups: { 1: "stubborn" },
      startTimeoutMs: 10_000,
      stopGraceMs: 500,
    });
    await launcher.start();
    const [polite, stubborn] = lines.filter((line) => line.msg === "shard group ready").map((line) => line.pid);
    expect([isAlive(polite as number), isAlive(stubborn as number)]).toEqual([true, true]);

    const began = Date.now();
    await expect(launcher.stop("SIGTERM")).rejects.toThrow(
      "shard group 1 was still running 500 ms after SIGTERM and had to be killed",
    );
    const took = Date.now() - began;
    expect(took).toBeGreaterThanOrEqual(490);
    expect(took).toBeLessThan(3000);
    // Both were asked; only the one that ignored it was killed.
    expect([gotSigterm(polite), gotSigterm(stubborn)]).toEqual([true, true]);
    expect(lines.filter((line) => line.msg === "shard group did not stop in time; killing it")).toEqual([
      expect.objectContaining({ group: 1, pid: stubborn, graceMs: 500 }),
    ]);
    expect([isAlive(polite as number), isAlive(stubborn as number)]).toEqual([false, false]);
    expect(lines.some((line) => line.msg === "stopped")).toBe(false);
  });
});

describe("shard groups", () => {
  it("split a machine's shards into as few, as even, neighbouring groups as fit", () => {
    expect(shardGroups([0, 1, 2, 3], 2)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(shardGroups([0, 1, 2, 3], 8)).toEqual([[0, 1, 2, 3]]);
    expect(shardGroups([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 8)).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9],
    ]);
    expect(shardGroups([4, 5, 6, 7, 8], 2)).toEqual([[4, 5], [6, 7], [8]]);
    expect(shardGroups([7, 3, 5, 3], 1)).toEqual([[3], [5], [7]]);
    expect(shardGroups([], 8)).toEqual([]);
    expect(() => shardGroups([0, 1], 0)).toThrow(RangeError);
  });

  it("hold SHARDS_PER_PROCESS shards at most: 8 unless set, a positive whole number, named when wrong", () => {
    expect(loadConfig({}).shardsPerProcess).toBe(8);
    expect(loadConfig({ SHARDS_PER_PROCESS: "2" }).shardsPerProcess).toBe(2);
    expect(loadConfig({ SHARDS_PER_PROCESS: " " }).shardsPerProcess).toBe(8);
    for (const wrong of ["0", "-1", "2.5", "many"])
      expect(() => loadConfig({ SHARDS_PER_PROCESS: wrong })).toThrow(/^SHARDS_PER_PROCESS must be /);
  });

  it("get 60 s plus 10 s a shard to become ready, and 15 s to stop before they are killed", () => {
    expect([1, 2, 8, 32].map(defaultStartTimeoutMs)).toEqual([70_000, 80_000, 140_000, 380_000]);
    expect(DEFAULT_STOP_GRACE_MS).toBe(15_000);
  });

  it("read back as SHARD_IDS", () => {
    expect(formatShardIds([0, 1, 2, 3])).toBe("0-3");
    expect(formatShardIds([1, 3, 5, 6])).toBe("1,3,5-6");
    expect(formatShardIds([8])).toBe("8");
  });

  it("restart after 1 s, doubling up to a minute", () => {
    expect([1, 2, 3, 4, 7, 8, 20].map((failures) => restartDelayMs(failures))).toEqual([
      1000, 2000, 4000, 8000, 60_000, 60_000, 60_000,
    ]);
  });

  it("refuse an OPS_PORT that leaves a group without a port, naming the setting", () => {
    const options = {
      script: "main.js",
      execArgv: [],
      env: {},
      shards: { ids: [0, 1, 2, 3], count: 4 },
      perProcess: 2,
      log: createLogger({ level: "silent", pretty: false }),
    };
    expect(() => new ShardLauncher({ ...options, opsPort: 65535 })).toThrow(/^OPS_PORT 65535 leaves no port/);
    expect(() => new ShardLauncher({ ...options, opsPort: 65534 })).not.toThrow();
    expect(() => new ShardLauncher({ ...options, opsPort: 0 })).not.toThrow();
  });
});
