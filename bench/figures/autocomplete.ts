import type { APIInteraction } from "discord.js";
import { normalize } from "../../src/lore/normalize.js";
import { autocomplete } from "../../test/loopback/interactions.js";
import { corpus } from "../corpus/entries.js";
import { buildQueries } from "../corpus/queries.js";
import { Prng } from "../lib/prng.js";
import { progress } from "../lib/progress.js";
import { summarize } from "../lib/stats.js";
import { type FigureResult, formatNumber, type Goal, latency, type Row, value } from "../report.js";
import { startBareClient, startProductionBot } from "../support/bots.js";
import type { BenchDatabases } from "../support/databases.js";
import { type HeapReading, readHeap } from "../support/heap-probe.js";
import { definition, type LoadResult, sustain } from "../support/interactions.js";
import { startWorld } from "../support/loopback.js";
import { readCpuSeconds, type Started } from "../support/processes.js";

const LEVELS = [1, 32] as const;

type LevelResult = LoadResult & { botCpu: number; benchCpu: number };

interface BotRun {
  rssMb: number;
  heap: HeapReading;
  levels: Map<number, LevelResult>;
}

/**
 * /faction info autocomplete through the real discord.js client and the loopback Discord, with the store holding
 * the canon and N synthetic factions, against a bare discord.js client answering the same 25 choices every time.
 * Each bot is its own process (as in production); the loopback and the load generator share the bench process.
 */
export async function autocompleteFigure(options: {
  quick: boolean;
  databases: BenchDatabases;
}): Promise<FigureResult> {
  const size = options.quick ? 10_000 : 100_000;
  const durationMs = options.quick ? 2_000 : 10_000;
  const warmUpMs = options.quick ? 1_000 : 3_000;
  const label = `${size.toLocaleString("en-US")} factions`;
  progress(`autocomplete: building the store (canon + ${label})`);
  const store = await options.databases.loreDatabase(size);

  const world = await startWorld();
  try {
    const texts = keystrokes(size);
    const command = definition("faction");
    const templates: APIInteraction[] = texts.map((value) =>
      autocomplete({
        discord: world.discord,
        guildId: world.guildId,
        channelId: world.channelId,
        user: world.ownerId,
        command,
        subcommand: "info",
        focused: "name",
        value,
      }),
    );
    const measure = async (name: string, start: () => Promise<Started>): Promise<BotRun> => {
      progress(`autocomplete: starting ${name}`);
      const bot = await start();
      try {
        await world.discord.waitForReady();
        progress(`autocomplete: ${name}: warming up for ${warmUpMs / 1000} s`);
        await sustain(world.discord, templates, 8, warmUpMs);
        const levels: BotRun["levels"] = new Map();
        for (const inFlight of LEVELS) {
          progress(`autocomplete: ${name}: ${inFlight} in flight for ${durationMs / 1000} s`);
          const botBefore = readCpuSeconds(bot.pid);
          const benchBefore = process.cpuUsage();
          const result = await sustain(world.discord, templates, inFlight, durationMs);
          const bench = process.cpuUsage(benchBefore);
          levels.set(inFlight, {
            ...result,
            botCpu: (readCpuSeconds(bot.pid) - botBefore) / (durationMs / 1000),
            benchCpu: (bench.user + bench.system) / 1e6 / (durationMs / 1000),
          });
        }
        const rssMb = bot.rssMb();
        return { rssMb, heap: await readHeap(bot), levels };
      } finally {
        await bot.stop();
      }
    };
    const floor = await measure("the bare discord.js floor", () =>
      startBareClient(world.discord, { answerAutocomplete: true, heapProbe: true }),
    );
    const ours = await measure(`Khitomer (production start, ${label} in the store)`, () =>
      startProductionBot(world.discord, options.databases.copy(store.file), { heapProbe: true }),
    );

    const rows: Row[] = [];
    const notes: string[] = [];
    for (const inFlight of LEVELS) {
      const o = ours.levels.get(inFlight) as LevelResult;
      const f = floor.levels.get(inFlight) as LevelResult;
      rows.push(
        {
          measure: `round trip, ${inFlight} in flight`,
          unit: "ms",
          ours: latency(summarize(o.latencies)),
          anchor: latency(summarize(f.latencies)),
        },
        {
          measure: `interactions per second, ${inFlight} in flight`,
          unit: "/s",
          ours: value(o.perSecond),
          anchor: value(f.perSecond),
        },
      );
      notes.push(
        `${inFlight} in flight: CPU used, in cores: Khitomer ${o.botCpu.toFixed(2)} with the bench process (loopback + load) ${o.benchCpu.toFixed(2)}; floor ${f.botCpu.toFixed(2)} with the bench process ${f.benchCpu.toFixed(2)}. Unanswered within 5 s: Khitomer ${o.failed}, floor ${f.failed}.`,
      );
    }
    rows.push({
      measure: "resident memory after the load",
      unit: "MB",
      ours: value(ours.rssMb),
      anchor: value(floor.rssMb),
    });
    const afterGc = (run: BotRun) =>
      `heap ${formatNumber(run.heap.heapUsedAfterGcMb)} MB, resident ${formatNumber(run.heap.rssAfterGcMb)} MB`;
    rows.push({
      measure: "V8 heap in use after the load",
      unit: "MB",
      ours: value(ours.heap.heapUsedMb),
      anchor: value(floor.heap.heapUsedMb),
      note: `after a full collection: ours ${afterGc(ours)}; floor ${afterGc(floor)}`,
    });
    notes.push(
      `The store: canon + ${label} of the bench server, imported through LoreStore.importDrafts (the real write path, not loaded into the index by hand) in ${(store.importMs / 1000).toFixed(1)} s; the bot loads them at start as in production (npm run build, then node dist/src/main.js).`,
      "Resident memory: VmRSS once the load stops; V8 heap from the probe the startup figure describes (bench/support/heap-probe.cjs), asked after resident memory was read.",
      `Workload: what members type, keystroke by keystroke (every prefix from the first letter) of ${texts.length.toLocaleString("en-US")} queries built like the search figure's (exact names, unique prefixes, typos, aliases), cycled; each interaction is a fresh INTERACTION_CREATE (new id and token). Round trip: from the loopback's dispatch to its receipt of the callback POST. Closed loop for ${durationMs / 1000} s per level after a ${warmUpMs / 1000} s warm-up.`,
    );
    const o1 = ours.levels.get(1) as LoadResult;
    const f1 = floor.levels.get(1) as LoadResult;
    const o32 = ours.levels.get(32) as LoadResult;
    const p50 = summarize(o1.latencies).p50;
    const floorP50 = summarize(f1.latencies).p50;
    const goals: Goal[] = [
      {
        goal: `autocomplete round trip p50 (${label}, 1 in flight)`,
        target: "≤ 2× the bare floor",
        measured: `${formatNumber(p50)} ms vs ${formatNumber(floorP50)} ms (${(p50 / floorP50).toFixed(2)}×)`,
        pass: p50 <= 2 * floorP50,
      },
      {
        goal: `lookups per second sustained (${label}, 32 in flight)`,
        target: "≥ 1,500/s",
        measured: `${formatNumber(o32.perSecond)}/s`,
        pass: o32.perSecond >= 1500,
      },
    ];
    return {
      id: "autocomplete",
      title: `/faction info autocomplete, ${label} in the store`,
      anchor: "a bare discord.js client answering a static list in the same harness (the floor)",
      rows,
      goals,
      notes,
    };
  } finally {
    await world.discord.close();
  }
}

/** Every prefix of every query, as autocomplete sees a member type it. */
function keystrokes(size: number): string[] {
  const entries = corpus(size, { kind: "faction" });
  const queries = buildQueries(entries, new Prng(size), 100);
  const out: string[] = [];
  for (const query of queries)
    for (let length = 1; length <= query.text.length; length += 1) {
      const typed = query.text.slice(0, length);
      if (normalize(typed) !== "" && !typed.endsWith(" ")) out.push(typed);
    }
  return new Prng(out.length).shuffle(out);
}
