import { fork } from "node:child_process";
import { LoreIndex, type SearchHit } from "../../src/lore/search-index.js";
import { BENCH_GUILD_ID, corpus } from "../corpus/entries.js";
import { buildQueries, QUERY_CATEGORIES, type Query } from "../corpus/queries.js";
import { ROOT } from "../lib/paths.js";
import { Prng } from "../lib/prng.js";
import { progress } from "../lib/progress.js";
import { summarize } from "../lib/stats.js";
import { type FigureResult, type Goal, latency, type Row, value } from "../report.js";
import type { NaiveReply, NaiveRequest } from "./naive-fuse-worker.js";

interface SizePlan {
  size: number;
  /** Queries the naive anchor runs (the first of each category, equally): it needs seconds per query at 100k. */
  naiveQueries: number;
}

const FULL: SizePlan[] = [
  { size: 1_000, naiveQueries: 200 },
  { size: 10_000, naiveQueries: 100 },
  { size: 100_000, naiveQueries: 48 },
];
const QUICK: SizePlan[] = [
  { size: 1_000, naiveQueries: 40 },
  { size: 10_000, naiveQueries: 12 },
];
const OURS_ROUNDS = 3;
const WORKERS = 2;

interface Outcome {
  ms: number;
  rank: number;
}

export async function searchFigure(options: { quick: boolean }): Promise<FigureResult> {
  const plans = options.quick ? QUICK : FULL;
  const perCategory = options.quick ? 25 : 100;
  const rows: Row[] = [];
  const notes: string[] = [];
  let goals: Goal[] = [];
  for (const plan of plans) {
    const label = `${plan.size.toLocaleString("en-US")} entries`;
    progress(`search: ${label}: generating the corpus and ${perCategory * 4} queries`);
    const entries = corpus(plan.size);
    const queries = buildQueries(entries, new Prng(plan.size), perCategory);

    progress(`search: ${label}: ours (LoreIndex), ${OURS_ROUNDS} rounds`);
    const index = new LoreIndex();
    const buildStarted = performance.now();
    for (const entry of entries) index.upsert(entry);
    const oursBuildMs = performance.now() - buildStarted;
    const ours = runOurs(index, queries);

    const subset = stratified(queries, plan.naiveQueries);
    progress(`search: ${label}: naive fuse.js, ${subset.length} queries in ${WORKERS} processes`);
    const naive = await runNaive(plan.size, subset);

    const oursOnSubset = subset.map((query) => ours.outcomes.get(query) as Outcome);
    const oursAll = [...ours.outcomes.values()];
    rows.push(
      {
        measure: `search, ${label}`,
        unit: "ms",
        ours: latency(summarize(ours.samples)),
        anchor: latency(summarize(naive.results.map((r) => r.ms))),
        note: `ours ${ours.samples.length.toLocaleString("en-US")} searches, anchor ${subset.length}`,
      },
      {
        measure: `top-1 accuracy, ${label}`,
        unit: "%",
        ours: value(accuracy(oursOnSubset, 1)),
        anchor: value(accuracy(naive.results, 1)),
        note: `same ${subset.length} queries; ours on all ${queries.length}: ${formatPercent(accuracy(oursAll, 1))}`,
      },
      {
        measure: `top-5 accuracy, ${label}`,
        unit: "%",
        ours: value(accuracy(oursOnSubset, 5)),
        anchor: value(accuracy(naive.results, 5)),
        note: `ours on all ${queries.length}: ${formatPercent(accuracy(oursAll, 5))}`,
      },
      {
        measure: `index build, ${label}`,
        unit: "ms",
        ours: value(oursBuildMs),
        anchor: value(naive.buildMs),
      },
    );
    notes.push(
      `${label}: top-1 by category, ours (all queries) ${byCategory(queries, (q) => ours.outcomes.get(q) as Outcome)}; naive ${byCategory(subset, (_q, i) => naive.results[i] as Outcome)}`,
    );
    const missed = queries.filter((q) => (ours.outcomes.get(q)?.rank ?? -1) !== 0).slice(0, 4);
    if (missed.length > 0)
      notes.push(
        `${label}: ours missed top-1 on e.g. ${missed.map((q) => `"${q.text}" → ${q.targetName} (${describeRank(ours.outcomes.get(q)?.rank ?? -1)}, got ${ours.top.get(q) ?? "nothing"})`).join("; ")}`,
      );
    // The goals are judged at the largest size run (100k in a full run).
    const oursLatency = summarize(ours.samples);
    const oursTop1 = accuracy(oursOnSubset, 1);
    const naiveTop1 = accuracy(naive.results, 1);
    goals = [
      {
        goal: `search p50 at ${label}`,
        target: "≤ 2 ms",
        measured: `${oursLatency.p50.toFixed(2)} ms`,
        pass: oursLatency.p50 <= 2,
      },
      {
        goal: `search p99 at ${label}`,
        target: "≤ 10 ms",
        measured: `${oursLatency.p99.toFixed(2)} ms`,
        pass: oursLatency.p99 <= 10,
      },
      {
        goal: `top-1 accuracy at ${label}`,
        target: "≥ naive fuse.js",
        measured: `${formatPercent(oursTop1)} vs ${formatPercent(naiveTop1)} (same ${subset.length} queries)`,
        pass: oursTop1 >= naiveTop1,
      },
    ];
  }
  notes.push(
    `Ours: LoreIndex.search(query, { guildId, limit: 25 }), kinds undefined, over canon + synthetic entries of the bench server; ${OURS_ROUNDS} timed rounds after one warm-up round. Anchor: new Fuse(entries, { keys: name, aliases, tags, summary; threshold 0.4; ignoreLocation; includeScore }) built once per corpus, search(query, { limit: 25 }); it costs seconds per query at 100k, so it runs only the first ${plans.map((p) => `${p.naiveQueries} at ${p.size / 1000}k`).join(", ")} queries (equal per category), split over ${WORKERS} processes; accuracies are compared on those same queries.`,
  );
  return {
    id: "search",
    title: "Lore search (LoreIndex vs naive fuse.js)",
    anchor: "naive fuse.js over the same entries and keys",
    rows,
    goals,
    notes,
  };
}

function runOurs(index: LoreIndex, queries: readonly Query[]) {
  const search = (query: Query): SearchHit[] => index.search(query.text, { guildId: BENCH_GUILD_ID, limit: 25 });
  const outcomes = new Map<Query, Outcome>();
  const top = new Map<Query, string>();
  for (const query of queries) search(query);
  const samples: number[] = [];
  const rng = new Prng(queries.length);
  for (let round = 0; round < OURS_ROUNDS; round += 1)
    for (const query of rng.shuffle(queries)) {
      const started = performance.now();
      const hits = search(query);
      const ms = performance.now() - started;
      samples.push(ms);
      if (round === 0) {
        outcomes.set(query, { ms, rank: hits.findIndex((hit) => hit.entry.id === query.targetId) });
        if (hits[0]) top.set(query, hits[0].entry.name);
      }
    }
  return { samples, outcomes, top };
}

async function runNaive(size: number, queries: readonly Query[]): Promise<NaiveReply> {
  const shares = Array.from({ length: WORKERS }, (_, w) => queries.filter((_q, i) => i % WORKERS === w));
  const replies = await Promise.all(
    shares.map(
      (share) =>
        new Promise<NaiveReply>((resolve, reject) => {
          const child = fork(new URL("./naive-fuse-worker.ts", import.meta.url), [], {
            cwd: ROOT,
            execArgv: ["--import", "tsx"],
          });
          child.once("message", (reply) => resolve(reply as NaiveReply));
          child.once("error", reject);
          child.once("exit", (code) => {
            if (code !== 0) reject(new Error(`naive fuse.js worker exited with ${code}`));
          });
          child.send({
            size,
            queries: share.map((q) => ({ text: q.text, targetId: q.targetId })),
          } satisfies NaiveRequest);
        }),
    ),
  );
  // Back in query order: worker w answered queries w, w + WORKERS, ...
  const results = queries.map((_q, i) => replies[i % WORKERS]?.results[Math.floor(i / WORKERS)] as Outcome);
  return { buildMs: Math.min(...replies.map((r) => r.buildMs)), results };
}

function stratified(queries: readonly Query[], count: number): Query[] {
  const per = Math.max(1, Math.floor(count / QUERY_CATEGORIES.length));
  return QUERY_CATEGORIES.flatMap((category) => queries.filter((q) => q.category === category).slice(0, per));
}

function accuracy(outcomes: readonly Outcome[], within: number): number {
  if (outcomes.length === 0) return Number.NaN;
  return (100 * outcomes.filter((o) => o.rank >= 0 && o.rank < within).length) / outcomes.length;
}

function byCategory(queries: readonly Query[], outcomeOf: (query: Query, i: number) => Outcome): string {
  return QUERY_CATEGORIES.map((category) => {
    const outcomes = queries.flatMap((q, i) => (q.category === category ? [outcomeOf(q, i)] : []));
    return `${category} ${formatPercent(accuracy(outcomes, 1))}`;
  }).join(", ");
}

function describeRank(rank: number): string {
  return rank < 0 ? "not in the 25" : `rank ${rank + 1}`;
}

function formatPercent(x: number): string {
  return `${x.toFixed(1)}%`;
}
