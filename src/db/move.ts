import { createHash } from "node:crypto";
import type { PrismaClient } from "./database.js";

/** Every table, parents before children (foreign keys), as the Prisma client names them. */
export const TABLES = [
  "loreEntry",
  "appState",
  "guildSettings",
  "serverFaction",
  "factionMember",
  "joinRequest",
  "factionEvent",
  "treaty",
  "ballot",
  "treatyDraft",
  "scheduledJob",
  "councilSchedule",
  "councilOccurrence",
  "agendaNote",
] as const;
export type Table = (typeof TABLES)[number];

const PAGE = 1000;

interface Delegate {
  count(): Promise<number>;
  findMany(args: { orderBy: Record<string, "asc">; skip: number; take: number }): Promise<Record<string, unknown>[]>;
  createMany(args: { data: Record<string, unknown>[] }): Promise<unknown>;
  deleteMany(): Promise<unknown>;
}

const delegate = (prisma: PrismaClient, table: Table) => (prisma as unknown as Record<Table, Delegate>)[table];
/** The primary key orders rows the same way on both sides. */
const keyOf = (table: Table) => (table === "appState" ? "key" : table === "guildSettings" ? "guildId" : "id");

export interface TableReport {
  table: Table;
  source: number;
  target: number;
  sourceChecksum: string;
  targetChecksum: string;
  ok: boolean;
  /** Keys of rows that differ (ballots and memberships). */
  differing?: string[];
}

export class MoveError extends Error {
  override name = "MoveError";
}

export async function counts(prisma: PrismaClient): Promise<Record<Table, number>> {
  const out = {} as Record<Table, number>;
  for (const table of TABLES) out[table] = await delegate(prisma, table).count();
  return out;
}

/**
 * Copies every row from one database to another (SQLite to PostgreSQL, typically), then verifies: row counts and
 * a checksum per table, compared side by side. The source is only read. A target that holds rows is refused
 * unless `force` empties it first.
 */
export async function moveDatabase(
  source: PrismaClient,
  target: PrismaClient,
  options: { force: boolean; onProgress?: (table: Table, done: number, total: number) => void },
): Promise<TableReport[]> {
  const existing = await counts(target);
  const busy = TABLES.filter((table) => existing[table] > 0);
  if (busy.length > 0 && !options.force)
    throw new MoveError(`the target already holds rows (${busy.join(", ")}); add --force to replace them`);
  if (busy.length > 0) for (const table of [...TABLES].reverse()) await delegate(target, table).deleteMany();

  for (const table of TABLES) {
    const total = await delegate(source, table).count();
    for (let skip = 0; skip < total; skip += PAGE) {
      const rows = await delegate(source, table).findMany({ orderBy: { [keyOf(table)]: "asc" }, skip, take: PAGE });
      if (rows.length > 0) await delegate(target, table).createMany({ data: rows });
      options.onProgress?.(table, Math.min(total, skip + PAGE), total);
    }
  }
  return verify(source, target);
}

/** Tables whose rows are also compared one by one (the ones members would miss most). */
const ONE_BY_ONE: readonly Table[] = ["ballot", "factionMember"];

/** Row counts and checksums of every table on both sides; ballots and memberships row by row. */
export async function verify(source: PrismaClient, target: PrismaClient): Promise<TableReport[]> {
  const reports: TableReport[] = [];
  for (const table of TABLES) {
    const [a, b] = await Promise.all([canonicalRows(source, table), canonicalRows(target, table)]);
    const report: TableReport = {
      table,
      source: a.length,
      target: b.length,
      sourceChecksum: checksum(a),
      targetChecksum: checksum(b),
      ok: false,
    };
    report.ok = report.source === report.target && report.sourceChecksum === report.targetChecksum;
    if (ONE_BY_ONE.includes(table)) {
      const theirs = new Map(b);
      const differing = a.filter(([key, row]) => theirs.get(key) !== row).map(([key]) => key);
      if (differing.length > 0 || a.length !== b.length) {
        report.ok = false;
        report.differing = differing.slice(0, 10);
      }
    }
    reports.push(report);
  }
  return reports;
}

/** Every row as [key, JSON with its fields sorted and dates as ISO strings], in binary key order. */
async function canonicalRows(prisma: PrismaClient, table: Table): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (let skip = 0; ; skip += PAGE) {
    const rows = await delegate(prisma, table).findMany({ orderBy: { [keyOf(table)]: "asc" }, skip, take: PAGE });
    for (const row of rows) {
      const fields = Object.keys(row)
        .sort()
        .map((field) => {
          const value = row[field];
          return [field, value instanceof Date ? value.toISOString() : value];
        });
      out.push([String(row[keyOf(table)]), JSON.stringify(fields)]);
    }
    if (rows.length < PAGE) break;
  }
  // The databases may collate text differently; binary order makes the checksums comparable.
  return out.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
}

function checksum(rows: readonly [string, string][]): string {
  const hash = createHash("sha256");
  for (const [, row] of rows) hash.update(row).update("\n");
  return hash.digest("hex");
}
