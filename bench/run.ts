// `npm run bench`: builds its data, runs each figure against its anchor in the same run, prints the table (stdout)
// and writes bench/results/<timestamp>.json and latest.json. Progress goes to stderr.
//   npm run bench -- --only search,ballots     some figures only
//   npm run bench -- --quick                   smaller sizes and shorter runs: a smoke run
//   BENCH_CPU_PROF=var/prof npm run bench      also a CPU profile of each bot process
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { autocompleteFigure } from "./figures/autocomplete.js";
import { ballotsFigure } from "./figures/ballots.js";
import { councilFigure } from "./figures/council.js";
import { searchFigure } from "./figures/search.js";
import { startupFigure } from "./figures/startup.js";
import { ROOT } from "./lib/paths.js";
import { progress } from "./lib/progress.js";
import {
  FIGURE_IDS,
  type FigureId,
  type FigureResult,
  machine,
  type RunRecord,
  renderTables,
  writeResults,
} from "./report.js";
import { buildOnce } from "./support/build.js";
import { BenchDatabases } from "./support/databases.js";

const USAGE = `usage: npm run bench -- [--only ${FIGURE_IDS.join(",")}] [--quick]
  BENCH_CPU_PROF=<dir> in the environment: every bot process also writes a V8 CPU profile into <dir>`;

function options() {
  const { values } = parseArgs({
    options: {
      only: { type: "string", multiple: true },
      quick: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const only = (values.only ?? []).flatMap((value) => value.split(",")).map((value) => value.trim());
  const unknown = only.filter((id) => !(FIGURE_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown figure ${unknown.join(", ")}\n${USAGE}\n`);
    process.exit(2);
  }
  return { only: (only.length > 0 ? only : [...FIGURE_IDS]) as FigureId[], quick: values.quick };
}

async function main(): Promise<void> {
  const { only, quick } = options();
  const startedAt = new Date();
  const loadAtStart = os.loadavg()[0] ?? 0;
  const figures: FigureResult[] = [];
  const failed: FigureId[] = [];
  const databases = new BenchDatabases();
  try {
    for (const id of FIGURE_IDS) {
      if (!only.includes(id)) continue;
      progress(`figure ${id}`);
      // The bot figures run the production start, compiled from the sources as they are now.
      if (id === "autocomplete" || id === "ballots" || id === "startup") buildOnce();
      const figure = {
        search: () => searchFigure({ quick }),
        autocomplete: () => autocompleteFigure({ quick, databases }),
        ballots: () => ballotsFigure({ quick, databases }),
        council: () => councilFigure({ quick, databases }),
        startup: () => startupFigure({ quick, databases }),
      }[id];
      try {
        figures.push(await figure());
      } catch (error) {
        // One broken figure must not cost the others: report it, carry on, and exit non-zero at the end.
        failed.push(id);
        progress(`figure ${id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }
  } finally {
    databases.cleanup();
  }
  const record: RunRecord = {
    version: 1,
    startedAt: startedAt.toISOString(),
    durationS: (Date.now() - startedAt.getTime()) / 1000,
    quick,
    only,
    machine: machine(),
    loadAverage: { start: loadAtStart, end: os.loadavg()[0] ?? 0 },
    commit: commit(),
    figures,
  };
  const file = writeResults(record, path.join(ROOT, "bench", "results"));
  progress(
    `done in ${record.durationS.toFixed(0)} s; results in ${path.relative(ROOT, file)} and bench/results/latest.json`,
  );
  process.stdout.write(`${renderTables(record)}\n`);
  if (failed.length > 0) {
    process.stderr.write(`bench: figure(s) failed: ${failed.join(", ")} (see above)\n`);
    process.exitCode = 1;
  }
}

/** The checked-out commit, read from .git without running git, so results can be compared across commits. */
function commit(): string | null {
  try {
    const head = readFileSync(path.join(ROOT, ".git", "HEAD"), "utf8").trim();
    if (!head.startsWith("ref: ")) return head;
    const ref = head.slice(5);
    const loose = path.join(ROOT, ".git", ref);
    if (existsSync(loose)) return readFileSync(loose, "utf8").trim();
    const packed = readFileSync(path.join(ROOT, ".git", "packed-refs"), "utf8");
    return (
      packed
        .split("\n")
        .find((line) => line.endsWith(` ${ref}`))
        ?.split(" ")[0] ?? null
    );
  } catch {
    return null;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
