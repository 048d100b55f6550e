import path from "node:path";
import { Cron } from "croner";
import { COUNCIL_JOB } from "../../src/council/council-service.js";
import { nextTimes, planWork, presetCron, WEEKDAYS } from "../../src/council/schedule.js";
import { openDatabase, type PrismaClient } from "../../src/db/database.js";
import { createLogger } from "../../src/logging/logger.js";
import { JobLoop } from "../../src/scheduler/job-loop.js";
import { JobStore } from "../../src/scheduler/job-store.js";
import { systemClock } from "../../src/time/clock.js";
import { CLOSE_JOB } from "../../src/treaties/treaty-service.js";
import { Prng } from "../lib/prng.js";
import { progress } from "../lib/progress.js";
import { summarize, timeAsync, timeSync } from "../lib/stats.js";
import { type FigureResult, latency, type Row } from "../report.js";
import type { BenchDatabases } from "../support/databases.js";

const TIME_ZONES = [
  "UTC",
  "Europe/Berlin",
  "Europe/London",
  "America/New_York",
  "America/Los_Angeles",
  "America/Sao_Paulo",
  "Asia/Tokyo",
  "Australia/Sydney",
  "Asia/Kolkata",
  "Europe/Moscow",
];
const CUSTOM_CRONS = ["0 20 * * 5", "0 */6 * * *", "30 19 1,15 * *", "0 18 * * 1-5", "0 12 * * 0"];
/** Past council wakes kept per schedule, as the job table holds them after a few weeks. */
const HISTORY_PER_SCHEDULE = 3;
const WEEK_MS = 7 * 86_400_000;
const BUSY_BATCH = 20;

/**
 * The job loop with N council schedules across N servers: what one pass costs when nothing is due (claimDue and
 * nextWake, as the loop runs them) and when a batch is due, against a naive scheduler that reads every schedule
 * and asks croner for each one's next run.
 */
export async function councilFigure(options: { quick: boolean; databases: BenchDatabases }): Promise<FigureResult> {
  const count = options.quick ? 1_000 : 10_000;
  const samples = options.quick ? 60 : 300;
  const file = path.join(options.databases.dir, "council.db");
  const db = await openDatabase(`file:${file}`);
  try {
    progress(`council: seeding ${count.toLocaleString("en-US")} schedules and their jobs through Prisma`);
    const now = new Date();
    const seeded = await seed(db.prisma, count, now);
    const store = new JobStore(db.prisma);
    const owner = "bench";

    progress(`council: nextWake, claimDue and idle ticks (${samples} each)`);
    for (let i = 0; i < 20; i += 1) await store.nextWake();
    const nextWake = await repeat(samples, () => store.nextWake());
    const claimIdle = await repeat(samples, () => store.claimDue(new Date(), owner, 5 * 60_000));
    const loop = new JobLoop(store, systemClock, createLogger({ level: "silent", pretty: false }));
    loop.on(COUNCIL_JOB, async () => undefined);
    loop.on(CLOSE_JOB, async () => undefined);
    loop.start();
    await loop.poke();
    // A pass of the loop when nothing is due: claimDue, then nextWake to set its timer.
    const tick = await repeat(samples, () => loop.poke());
    await loop.stop();

    progress(`council: claiming batches of ${BUSY_BATCH} due jobs`);
    const claimBusy = await busyClaims(db.prisma, store, owner, options.quick ? 10 : 40);

    progress("council: planWork and croner for single schedules");
    const sample = seeded.schedules.filter((s) => s.status === "active").slice(0, options.quick ? 50 : 200);
    const plans: number[] = [];
    const singleCron: number[] = [];
    for (const schedule of sample) {
      const timing = { ...schedule, skipAt: null, handledUntil: new Date(Date.now() - 60_000) };
      plans.push(timeSync(() => planWork(timing, new Date())));
      singleCron.push(
        timeSync(() => new Cron(schedule.cron, { timezone: schedule.timeZone, paused: true }).nextRun(new Date())),
      );
    }

    progress("council: naive full scan with croner");
    const cronOnly: number[] = [];
    const naive = await repeat(options.quick ? 5 : 15, async () => {
      const schedules = await db.prisma.councilSchedule.findMany({
        where: { status: "active" },
        select: { id: true, cron: true, timeZone: true },
      });
      const started = performance.now();
      let earliest = Number.POSITIVE_INFINITY;
      for (const schedule of schedules) {
        const next = new Cron(schedule.cron, { timezone: schedule.timeZone, paused: true }).nextRun(new Date());
        if (next) earliest = Math.min(earliest, next.getTime());
      }
      cronOnly.push(performance.now() - started);
      return earliest;
    });

    const naiveLatency = latency(summarize(naive));
    const rows: Row[] = [
      { measure: "idle tick (claimDue + nextWake)", unit: "ms", ours: latency(summarize(tick)), anchor: naiveLatency },
      { measure: "JobStore.nextWake()", unit: "ms", ours: latency(summarize(nextWake)), anchor: naiveLatency },
      {
        measure: "JobStore.claimDue(), nothing due",
        unit: "ms",
        ours: latency(summarize(claimIdle)),
        anchor: naiveLatency,
      },
      {
        measure: `JobStore.claimDue(), ${BUSY_BATCH} due`,
        unit: "ms",
        ours: latency(summarize(claimBusy)),
        anchor: naiveLatency,
      },
      {
        measure: "planWork() for one due schedule",
        unit: "ms",
        ours: latency(summarize(plans)),
        anchor: latency(summarize(singleCron)),
        note: "anchor: one croner nextRun",
      },
    ];
    return {
      id: "council",
      title: `Council loop with ${count.toLocaleString("en-US")} schedules`,
      anchor: "a naive scan: read every active schedule and compute its next run with croner in JS",
      rows,
      goals: [],
      notes: [
        `Seeded through Prisma: ${count.toLocaleString("en-US")} council schedules on as many servers (${seeded.active.toLocaleString("en-US")} active; weekly presets and cron expressions in 10 time zones), one pending council job per active schedule at its next wake as CouncilService queues it, ${HISTORY_PER_SCHEDULE} finished jobs per schedule and ${seeded.treaties.toLocaleString("en-US")} pending treaty closes: ${seeded.jobs.toLocaleString("en-US")} job rows.`,
        `The anchor's croner part alone: p50 ${summarize(cronOnly).p50.toFixed(1)} ms of ${summarize(naive).p50.toFixed(1)} ms.`,
        `A busy claim takes ${BUSY_BATCH} jobs made due (one select, then one conditional update per job).`,
        "planWork (src/council/schedule.ts) runs at every council job (CouncilService.run) and when a schedule is set; it asks croner for MAX_BACKLOG (200) session times after handledUntil before keeping those already due, so each call costs ~200 croner steps even when one session is due.",
      ],
    };
  } finally {
    await db.close();
  }
}

async function repeat(times: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i += 1) out.push(await timeAsync(fn));
  return out;
}

async function seed(prisma: PrismaClient, count: number, now: Date) {
  const rng = new Prng(count);
  const schedules = Array.from({ length: count }, (_, i) => {
    const timeZone = rng.pick(TIME_ZONES);
    const preset = rng.chance(0.8);
    const { cron, label } = preset
      ? presetCron(rng.pick(WEEKDAYS), `${rng.int(17, 22)}:${rng.pick(["00", "30"])}`)
      : { cron: rng.pick(CUSTOM_CRONS), label: "custom" };
    const roll = rng.next();
    return {
      id: `bench-schedule-${i}`,
      guildId: String(920_000_000_000_000_000n + BigInt(i)),
      channelId: String(930_000_000_000_000_000n + BigInt(i)),
      cron,
      label,
      timeZone,
      reminderMinutes: rng.chance(0.3) ? 60 : null,
      graceMinutes: 120,
      status: roll < 0.9 ? "active" : roll < 0.95 ? "paused" : "cancelled",
      handledUntil: now,
      createdBy: "900000000000000003",
    };
  });
  const jobs: { key: string; kind: string; guildId: string; payload: string; dueAt: Date; status: string }[] = [];
  for (const schedule of schedules) {
    const payload = JSON.stringify({ scheduleId: schedule.id });
    for (let k = 1; k <= HISTORY_PER_SCHEDULE; k += 1) {
      const at = new Date(now.getTime() - k * WEEK_MS);
      jobs.push({
        key: `${COUNCIL_JOB}:${schedule.id}:${at.toISOString()}`,
        kind: COUNCIL_JOB,
        guildId: schedule.guildId,
        payload,
        dueAt: at,
        status: "done",
      });
    }
    if (schedule.status !== "active") continue;
    // The wake CouncilService queues: the next session, or the reminder before it (planWork's wakeAt, without
    // paying planWork's price 10,000 times here).
    const [next] = nextTimes(schedule.cron, schedule.timeZone, now, 1);
    if (!next) continue;
    const remindAt = schedule.reminderMinutes ? new Date(next.getTime() - schedule.reminderMinutes * 60_000) : null;
    const wakeAt = remindAt && remindAt > now ? remindAt : next;
    jobs.push({
      key: `${COUNCIL_JOB}:${schedule.id}:${wakeAt.toISOString()}`,
      kind: COUNCIL_JOB,
      guildId: schedule.guildId,
      payload,
      dueAt: wakeAt,
      status: "pending",
    });
  }
  const treaties = Math.round(count / 5);
  for (let i = 0; i < treaties; i += 1)
    jobs.push({
      key: `${CLOSE_JOB}:bench-treaty-${i}`,
      kind: CLOSE_JOB,
      guildId: schedules[i % count]?.guildId ?? "",
      payload: JSON.stringify({ treatyId: `bench-treaty-${i}` }),
      dueAt: new Date(now.getTime() + rng.int(10, 14 * 24 * 60) * 60_000),
      status: "pending",
    });
  for (let i = 0; i < schedules.length; i += 500)
    await prisma.councilSchedule.createMany({ data: schedules.slice(i, i + 500) });
  // Ids given here: Prisma's cuid() default costs more than the insert itself.
  const rows = jobs.map((job, i) => ({ id: `bench-job-${i}`, ...job }));
  for (let i = 0; i < rows.length; i += 500) await prisma.scheduledJob.createMany({ data: rows.slice(i, i + 500) });
  return { schedules, active: schedules.filter((s) => s.status === "active").length, jobs: jobs.length, treaties };
}

/** Makes a batch of pending jobs due, times claimDue taking them, then puts them back as they were. */
async function busyClaims(prisma: PrismaClient, store: JobStore, owner: string, rounds: number): Promise<number[]> {
  const batch = await prisma.scheduledJob.findMany({
    where: { status: "pending", kind: COUNCIL_JOB },
    orderBy: { dueAt: "asc" },
    take: BUSY_BATCH,
    select: { id: true, dueAt: true },
  });
  const out: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const now = new Date();
    await prisma.scheduledJob.updateMany({
      where: { id: { in: batch.map((job) => job.id) } },
      data: { dueAt: new Date(now.getTime() - 1000) },
    });
    let claimed = 0;
    out.push(
      await timeAsync(async () => {
        claimed = (await store.claimDue(now, owner, 5 * 60_000, BUSY_BATCH)).length;
      }),
    );
    if (claimed !== BUSY_BATCH) throw new Error(`claimDue took ${claimed} of ${BUSY_BATCH} due jobs`);
    for (const job of batch)
      await prisma.scheduledJob.update({
        where: { id: job.id },
        data: { status: "pending", dueAt: job.dueAt, claimedBy: null, leaseUntil: null, attempts: 0 },
      });
  }
  return out;
}
