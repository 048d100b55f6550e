import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Summary } from "./lib/stats.js";

export const FIGURE_IDS = ["search", "autocomplete", "ballots", "council", "startup"] as const;
export type FigureId = (typeof FIGURE_IDS)[number];

export type Unit = "ms" | "/s" | "MB" | "edits" | "%" | "s" | "count";

/** A latency (p50 and p99) or a single value. */
export type Stat = { p50: number; p99: number } | { value: number };

export interface Row {
  measure: string;
  unit: Unit;
  ours: Stat;
  anchor?: Stat;
  note?: string;
}

export interface Goal {
  goal: string;
  target: string;
  measured: string;
  pass: boolean;
}

export interface FigureResult {
  id: FigureId;
  title: string;
  /** What "anchor" means in this figure's rows. */
  anchor: string;
  rows: Row[];
  goals: Goal[];
  notes: string[];
}

export interface RunRecord {
  version: 1;
  startedAt: string;
  durationS: number;
  quick: boolean;
  only: FigureId[];
  machine: { node: string; cpus: number; cpuModel: string; memoryGb: number; platform: string };
  /** 1-minute load average at the start and the end: above the core count, other work shared the machine. */
  loadAverage: { start: number; end: number };
  commit: string | null;
  figures: FigureResult[];
}

export const latency = (summary: Summary): Stat => ({ p50: summary.p50, p99: summary.p99 });
export const value = (x: number): Stat => ({ value: x });

/** ours / anchor on the median (or the value). */
export function ratio(row: Row): number | undefined {
  if (!row.anchor) return undefined;
  const a = main(row.anchor);
  return a === 0 ? undefined : main(row.ours) / a;
}

function main(stat: Stat): number {
  return "value" in stat ? stat.value : stat.p50;
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return "—";
  if (Number.isInteger(x)) return x.toLocaleString("en-US");
  const abs = Math.abs(x);
  if (abs >= 100) return Math.round(x).toLocaleString("en-US");
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

function formatStat(stat: Stat | undefined, unit: Unit): string {
  if (!stat) return "—";
  const u = unit === "%" ? "%" : unit === "count" ? "" : ` ${unit}`;
  if ("value" in stat) return `${formatNumber(stat.value)}${u}`;
  return `${formatNumber(stat.p50)} · ${formatNumber(stat.p99)}${u}`;
}

function formatRatio(row: Row): string {
  const r = ratio(row);
  return r === undefined ? "—" : `${r >= 10 ? Math.round(r) : r.toFixed(r < 0.01 ? 4 : 2)}×`;
}

/** Markdown, so the table can be pasted into the README as printed. */
export function renderTables(record: RunRecord): string {
  const { figures, machine: m } = record;
  const out: string[] = [
    `Run ${record.startedAt.slice(0, 16).replace("T", " ")} UTC${record.quick ? " (--quick)" : ""} · ${m.cpus} cores (${m.cpuModel}) · Node ${m.node} · load average ${record.loadAverage.start.toFixed(1)} at start, ${record.loadAverage.end.toFixed(1)} at end · ${Math.round(record.durationS)} s${record.commit ? ` · commit ${record.commit.slice(0, 10)}` : ""}`,
    "",
  ];
  for (const [i, figure] of figures.entries()) {
    out.push(`### ${i + 1}. ${figure.title}`, "", `Anchor: ${figure.anchor}. Latencies are p50 · p99.`, "");
    out.push("| measure | ours | anchor | ours / anchor |", "| --- | --- | --- | --- |");
    for (const row of figure.rows)
      out.push(
        `| ${row.measure}${row.note ? ` (${row.note})` : ""} | ${formatStat(row.ours, row.unit)} | ${formatStat(row.anchor, row.unit)} | ${formatRatio(row)} |`,
      );
    if (figure.notes.length > 0) out.push("", ...figure.notes.map((note) => `- ${note}`));
    out.push("");
  }
  const goals = figures.flatMap((figure) => figure.goals);
  if (goals.length > 0) {
    out.push("### Goals", "", "| goal | target | measured | |", "| --- | --- | --- | --- |");
    for (const goal of goals)
      out.push(`| ${goal.goal} | ${goal.target} | ${goal.measured} | ${goal.pass ? "PASS" : "**MISS**"} |`);
    out.push("");
  }
  return out.join("\n");
}

export function machine(): RunRecord["machine"] {
  return {
    node: process.version,
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** bench/results/<timestamp>.json and bench/results/latest.json (git-ignored), for comparing commits. */
export function writeResults(record: RunRecord, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(record, null, 2)}\n`;
  const file = path.join(dir, `${record.startedAt.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, json);
  writeFileSync(path.join(dir, "latest.json"), json);
  return file;
}
