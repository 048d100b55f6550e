import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import { createLogger } from "../../src/logging/logger.js";
import { JobLoop } from "../../src/scheduler/job-loop.js";
import { JobStore } from "../../src/scheduler/job-store.js";
import { ManualClock } from "../support/bot-harness.js";
import { tempDir } from "../support/temp-dir.js";

const log = createLogger({ level: "silent", pretty: false });
let file: string;
let cleanup: () => void;
const opened: Database[] = [];
const loops: JobLoop[] = [];

beforeEach(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  file = path.join(t.dir, "jobs.db");
});
afterEach(async () => {
  for (const loop of loops.splice(0)) await loop.stop();
  for (const db of opened.splice(0)) await db.close();
  cleanup();
});

/** One "process": its own connection to the shared SQLite file and its own loop. */
async function process_(clock: ManualClock, options = {}) {
  const db = await openDatabase(`file:${file}`);
  opened.push(db);
  const store = new JobStore(db.prisma);
  const loop = new JobLoop(store, clock, log, options);
  loops.push(loop);
  return { db, store, loop };
}

describe("JobLoop", () => {
  it("runs a job when its time comes, not before, and only once", async () => {
    const clock = new ManualClock();
    const { store, loop } = await process_(clock);
    const runs: string[] = [];
    loop.on("note", async (job) => {
      runs.push(job.key);
    });
    await store.schedule({ key: "note:1", kind: "note", dueAt: new Date(clock.now().getTime() + 60_000) });
    loop.start();
    await loop.poke();
    expect(runs).toEqual([]);
    clock.advance(60_000);
    await loop.poke();
    await loop.poke();
    expect(runs).toEqual(["note:1"]);
    expect((await store.get("note:1"))?.status).toBe("done");
  });

  it("with two processes on one database, runs every job exactly once", async () => {
    const clock = new ManualClock();
    const a = await process_(clock);
    const b = await process_(clock);
    const runs = new Map<string, number>();
    const handler = async (job: { key: string }) => {
      runs.set(job.key, (runs.get(job.key) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 1));
    };
    a.loop.on("note", handler);
    b.loop.on("note", handler);
    for (let i = 0; i < 40; i += 1) await a.store.schedule({ key: `note:${i}`, kind: "note", dueAt: clock.now() });
    a.loop.start();
    b.loop.start();
    await Promise.all([a.loop.poke(), b.loop.poke(), a.loop.poke(), b.loop.poke()]);
    await Promise.all([a.loop.poke(), b.loop.poke()]);
    expect(runs.size).toBe(40);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
  });

  it("keeps going when a job fails, and tries it again later with backoff", async () => {
    const clock = new ManualClock();
    const { store, loop } = await process_(clock, { retryMs: 1000 });
    let failures = 0;
    const ok: string[] = [];
    loop.on("flaky", async () => {
      failures += 1;
      if (failures < 2) throw new Error("Discord is down");
    });
    loop.on("note", async (job) => {
      ok.push(job.key);
    });
    await store.schedule({ key: "flaky:1", kind: "flaky", dueAt: clock.now() });
    await store.schedule({ key: "note:1", kind: "note", dueAt: clock.now() });
    loop.start();
    await loop.poke();
    expect(ok).toEqual(["note:1"]);
    expect(await store.get("flaky:1")).toMatchObject({ status: "pending", lastError: "Discord is down" });
    clock.advance(1000);
    await loop.poke();
    expect(await store.get("flaky:1")).toMatchObject({ status: "done", attempts: 2 });
  });

  it("after a crash mid-job, another process takes the job over once the lease expires", async () => {
    const clock = new ManualClock();
    const a = await process_(clock, { leaseMs: 10_000 });
    await a.store.schedule({ key: "close:1", kind: "close", dueAt: clock.now() });
    // Process A claims the job and dies before finishing it.
    expect(await a.store.claimDue(clock.now(), "dead-process", 10_000)).toHaveLength(1);
    const b = await process_(clock, { leaseMs: 10_000 });
    const runs: string[] = [];
    b.loop.on("close", async (job) => {
      runs.push(job.key);
    });
    b.loop.start();
    await b.loop.poke();
    expect(runs).toEqual([]);
    clock.advance(10_001);
    await b.loop.poke();
    expect(runs).toEqual(["close:1"]);
  });

  it("a job that runs longer than its lease keeps it: the holder renews it, so no other process starts it", async () => {
    const clock = new ManualClock();
    const a = await process_(clock, { leaseMs: 900 });
    const b = await process_(clock, { leaseMs: 900 });
    const runs: string[] = [];
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    a.loop.on("resync", async (job) => {
      runs.push(`a:${job.key}`);
      started();
      await finished;
    });
    b.loop.on("resync", async (job) => {
      runs.push(`b:${job.key}`);
    });
    await a.store.schedule({ key: "resync:1", kind: "resync", dueAt: clock.now() });
    a.loop.start();
    await running;
    // Time passes well beyond the first lease; the heartbeat (every lease/3 of real time) moves the lease along.
    clock.advance(5_000);
    const before = (await a.store.get("resync:1"))?.leaseUntil?.getTime() ?? 0;
    await expect
      .poll(async () => (await a.store.get("resync:1"))?.leaseUntil?.getTime() ?? 0, { timeout: 5_000 })
      .toBeGreaterThan(before);
    b.loop.start();
    await b.loop.poke();
    expect(runs).toEqual(["a:resync:1"]);
    finish();
    await a.loop.stop();
    expect(await a.store.get("resync:1")).toMatchObject({ status: "done", attempts: 1 });
  });

  it("rescheduling a pending job moves it; a finished job is never queued again under its key", async () => {
    const clock = new ManualClock();
    const { store, loop } = await process_(clock);
    const runs: string[] = [];
    loop.on("note", async (job) => {
      runs.push(job.key);
    });
    await store.schedule({ key: "note:1", kind: "note", dueAt: new Date(clock.now().getTime() + 1000) });
    await store.schedule({ key: "note:1", kind: "note", dueAt: new Date(clock.now().getTime() + 5000) });
    loop.start();
    clock.advance(1000);
    await loop.poke();
    expect(runs).toEqual([]);
    clock.advance(4000);
    await loop.poke();
    await store.schedule({ key: "note:1", kind: "note", dueAt: clock.now() });
    await loop.poke();
    expect(runs).toEqual(["note:1"]);
  });
});
