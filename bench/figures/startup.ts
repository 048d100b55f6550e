import { progress } from "../lib/progress.js";
import { median, summarize } from "../lib/stats.js";
import { type FigureResult, formatNumber, type Goal, latency, type Row, value } from "../report.js";
import { startBareClient, startProductionBot } from "../support/bots.js";
import { buildOnce } from "../support/build.js";
import type { BenchDatabases } from "../support/databases.js";
import { type HeapReading, readHeap } from "../support/heap-probe.js";
import { startWorld } from "../support/loopback.js";
import type { Started } from "../support/processes.js";

const COLD_START_GOAL_MS = 1_500;
const RSS_GOAL_MB = 150;
/** Resident memory is read this long after the ready line, once start-up garbage has had a chance to go. */
const SETTLE_MS = 1_000;

type Start = { readyMs: number; rssMb: number } & HeapReading;

/** The start whose resident memory is the median (the middle one of an odd number). */
function medianStart(starts: readonly Start[]): Start {
  return [...starts].sort((a, b) => a.rssMb - b.rssMb)[Math.floor((starts.length - 1) / 2)] as Start;
}

/**
 * The production start (compiled JavaScript, `node dist/src/main.js`) against the loopback: time from spawn to the
 * "ready" log line on a database with the canon already imported, and resident memory once ready, with the canon
 * and with N synthetic entries in the database. Anchor: `node -e` of a bare discord.js client logging in.
 *
 * Resident memory alone does not say where memory goes, so each process also answers for its V8 heap (a preloaded
 * probe, asked only after resident memory has been read): the heap in use as it was, and after a full collection,
 * which separates what the process holds from what the collector has not yet taken back.
 */
export async function startupFigure(options: { quick: boolean; databases: BenchDatabases }): Promise<FigureResult> {
  const runs = options.quick ? 2 : 5;
  const bigRuns = options.quick ? 1 : 3;
  const size = options.quick ? 10_000 : 100_000;
  const label = `${size.toLocaleString("en-US")} entries`;
  buildOnce();
  const canon = await options.databases.canonDatabase();
  progress(`startup: building the store with ${label} (shared with the autocomplete figure)`);
  const store = await options.databases.loreDatabase(size);
  const world = await startWorld();
  try {
    const once = async (start: () => Promise<Started>): Promise<Start> => {
      const process = await start();
      try {
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const rssMb = process.rssMb();
        return { readyMs: process.readyMs, rssMb, ...(await readHeap(process)) };
      } finally {
        await process.stop();
      }
    };
    const ours: Start[] = [];
    const bare: Start[] = [];
    // Alternated, so a slower moment of the machine touches both.
    for (let run = 1; run <= runs; run += 1) {
      progress(`startup: cold start ${run}/${runs} (production start on the canon database, then the bare client)`);
      ours.push(
        await once(() => startProductionBot(world.discord, options.databases.copy(canon), { heapProbe: true })),
      );
      bare.push(await once(() => startBareClient(world.discord, { answerAutocomplete: false, heapProbe: true })));
    }
    // Resident memory moves by 10 MB and more between starts with what the collector has not yet taken back at
    // the reading: the median of three starts.
    const bigStarts: Start[] = [];
    for (let run = 1; run <= bigRuns; run += 1) {
      progress(`startup: production start with ${label} in the database ${run}/${bigRuns}`);
      bigStarts.push(
        await once(() => startProductionBot(world.discord, options.databases.copy(store.file), { heapProbe: true })),
      );
    }
    const big = medianStart(bigStarts);
    const bareOf = (pick: (start: Start) => number) => value(median(bare.map(pick)));
    const afterGc = (starts: Start[]) =>
      `after a full collection: heap ${formatNumber(median(starts.map((r) => r.heapUsedAfterGcMb)))} MB, resident ${formatNumber(median(starts.map((r) => r.rssAfterGcMb)))} MB`;

    const coldMs = median(ours.map((r) => r.readyMs));
    const canonRss = median(ours.map((r) => r.rssMb));
    const rows: Row[] = [
      {
        measure: "cold start to ready, canon database",
        unit: "ms",
        ours: latency(summarize(ours.map((r) => r.readyMs))),
        anchor: latency(summarize(bare.map((r) => r.readyMs))),
        note: `${runs} starts each; p99 = slowest`,
      },
      {
        measure: "resident memory, canon database",
        unit: "MB",
        ours: value(canonRss),
        anchor: value(median(bare.map((r) => r.rssMb))),
      },
      {
        measure: "V8 heap in use, canon database",
        unit: "MB",
        ours: value(median(ours.map((r) => r.heapUsedMb))),
        anchor: bareOf((r) => r.heapUsedMb),
        note: `ours ${afterGc(ours)}; bare client ${afterGc(bare)}`,
      },
      {
        measure: `start to ready, ${label} in the database`,
        unit: "ms",
        ours: value(big.readyMs),
        anchor: value(median(bare.map((r) => r.readyMs))),
        note: `the start whose resident memory is the median; starts took ${bigStarts.map((r) => formatNumber(r.readyMs)).join(", ")} ms`,
      },
      {
        measure: `resident memory, ${label} loaded`,
        unit: "MB",
        ours: value(big.rssMb),
        anchor: value(median(bare.map((r) => r.rssMb))),
        note: `median of ${bigRuns} starts: ${bigStarts.map((r) => formatNumber(r.rssMb)).join(", ")} MB`,
      },
      {
        measure: `V8 heap in use, ${label} loaded`,
        unit: "MB",
        ours: value(big.heapUsedMb),
        anchor: bareOf((r) => r.heapUsedMb),
        note: afterGc([big]),
      },
    ];
    const goals: Goal[] = [
      {
        goal: "cold start to ready (production start, canon database)",
        target: `< ${COLD_START_GOAL_MS / 1000} s`,
        measured: `${formatNumber(coldMs)} ms (bare client ${formatNumber(median(bare.map((r) => r.readyMs)))} ms)`,
        pass: coldMs < COLD_START_GOAL_MS,
      },
      {
        goal: "resident memory (production start, canon database)",
        target: `< ${RSS_GOAL_MB} MB`,
        measured: `${formatNumber(canonRss)} MB`,
        pass: canonRss < RSS_GOAL_MB,
      },
      {
        goal: `resident memory (production start, ${label} loaded)`,
        target: `< ${RSS_GOAL_MB} MB`,
        measured: `${formatNumber(big.rssMb)} MB`,
        pass: big.rssMb < RSS_GOAL_MB,
      },
    ];
    return {
      id: "startup",
      title: "Production start",
      anchor: "`node -e` of a bare discord.js client (same intents) logging into the same loopback",
      rows,
      goals,
      notes: [
        `npm run build first, then node dist/src/main.js with NODE_ENV=production, DISCORD_TOKEN, DISCORD_API_BASE (the loopback), DATABASE_URL (a fresh copy of a database with the canon imported, so the canon digest is unchanged and nothing is re-imported) and LORE_DIR=data. Time from spawn to the "ready" log line (database opened and migrations checked, lore loaded into the index, gateway ready). Resident memory: VmRSS from /proc/<pid>/status ${SETTLE_MS / 1000} s after ready, no collection forced.`,
        "V8 heap: process.memoryUsage().heapUsed from a probe preloaded into every process of this figure (bench/support/heap-probe.cjs, NODE_OPTIONS=--require), asked by signal once resident memory has been read; then again after two full collections it forces, with the resident memory at that point. What is collected then is garbage the process would drop at its next full collection; resident memory falls less, as V8 and malloc keep some of the pages they grew into.",
        `The ${label} are server lore imported through LoreStore (the same database as the autocomplete figure).`,
      ],
    };
  } finally {
    await world.discord.close();
  }
}
