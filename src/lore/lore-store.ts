import { createHash } from "node:crypto";
import { chunks, IN_LIST_MAX } from "../db/chunks.js";
import type { PrismaClient, ScanRows } from "../db/database.js";
import type { LoreEntry as LoreRow } from "../generated/prisma/client.js";
import type { LoreDetails, LoreDraft, LoreEntry, LoreKind, Quadrant, Standing } from "./model.js";

export interface ImportSummary {
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
  /** Entries written (created or updated), as stored, so an index can take them without a reload. */
  written: LoreEntry[];
  removedIds: string[];
}

export interface ImportOptions {
  /** Delete entries of the scope that the drafts no longer contain (canon follows data/ exactly). */
  prune: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Named data functions for lore; the only place that knows how entries are laid out in the database. */
export class LoreStore {
  constructor(
    private readonly prisma: PrismaClient,
    /** Given (SQLite), startup reads the entries row by row through it instead of in pages through Prisma. */
    private readonly scanRows?: ScanRows,
  ) {}

  async all(): Promise<LoreEntry[]> {
    const rows = await this.prisma.loreEntry.findMany({ orderBy: [{ scope: "asc" }, { slug: "asc" }] });
    return rows.map(toEntry);
  }

  /**
   * Every entry without its body, sources and source file (empty in what it visits): startup fills the index from
   * these (bodies are read per card). Row by row on SQLite (`ScanRows`), a page at a time through Prisma otherwise:
   * 100,000 rows never sit in memory at once. Only the columns the index reads are fetched: the others of 100,000
   * rows would only be garbage for the collector.
   */
  async eachEntry(visit: (entry: LoreEntry) => void, pageSize = 2000): Promise<void> {
    if (this.scanRows) {
      const columns = Object.keys(INDEXED_COLUMNS)
        .map((column) => `"${column}"`)
        .join(", ");
      for (const row of this.scanRows<IndexedRow>(`SELECT ${columns} FROM "lore_entries" ORDER BY "id"`))
        visit(toEntry(row));
      return;
    }
    let cursor: string | undefined;
    for (;;) {
      const rows = await this.prisma.loreEntry.findMany({
        orderBy: { id: "asc" },
        take: pageSize,
        select: INDEXED_COLUMNS,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      for (const row of rows) visit(toEntry(row));
      if (rows.length < pageSize) return;
      cursor = rows.at(-1)?.id;
    }
  }

  async byId(id: string): Promise<LoreEntry | undefined> {
    const row = await this.prisma.loreEntry.findUnique({ where: { id } });
    return row ? toEntry(row) : undefined;
  }

  /** The summaries of some entries by id (those that still exist), for a list or menu of them. */
  async summariesOf(ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const chunk of chunks(ids, IN_LIST_MAX)) {
      const rows = await this.prisma.loreEntry.findMany({
        where: { id: { in: chunk } },
        select: { id: true, summary: true },
      });
      for (const row of rows) out.set(row.id, row.summary);
    }
    return out;
  }

  async count(scope: string): Promise<number> {
    return this.prisma.loreEntry.count({ where: { scope } });
  }

  /**
   * Upserts drafts into one scope in a single transaction: either every change lands or none does.
   * Unchanged entries (same content hash) are not written at all, so a second import changes nothing.
   */
  async importDrafts(scope: string, drafts: readonly LoreDraft[], options: ImportOptions): Promise<ImportSummary> {
    return this.prisma.$transaction(
      async (tx) => {
        const existing = await tx.loreEntry.findMany({
          where: { scope },
          select: { id: true, slug: true, contentHash: true },
        });
        const bySlug = new Map(existing.map((row) => [row.slug, row]));
        const summary: ImportSummary = {
          created: 0,
          updated: 0,
          unchanged: 0,
          removed: 0,
          written: [],
          removedIds: [],
        };
        let done = 0;
        // New entries go in batches (one statement per 500 rows, not one per row); changed ones one by one.
        let batch: ReturnType<typeof toRow>[] = [];
        const flush = async () => {
          if (batch.length === 0) return;
          const rows = await tx.loreEntry.createManyAndReturn({ data: batch as never });
          summary.created += rows.length;
          for (const row of rows) summary.written.push(toEntry(row));
          done += batch.length;
          batch = [];
          options.onProgress?.(done, drafts.length);
        };
        for (const draft of drafts) {
          const hash = contentHash(draft);
          const row = bySlug.get(draft.slug);
          bySlug.delete(draft.slug);
          if (!row) {
            batch.push({ ...toRow(draft, hash), scope, slug: draft.slug } as ReturnType<typeof toRow>);
            if (batch.length >= CREATE_BATCH) await flush();
            continue;
          }
          if (row.contentHash === hash) summary.unchanged += 1;
          else {
            const saved = await tx.loreEntry.update({ where: { id: row.id }, data: toRow(draft, hash) });
            summary.updated += 1;
            summary.written.push(toEntry(saved));
          }
          done += 1;
          options.onProgress?.(done, drafts.length);
        }
        await flush();
        if (options.prune && bySlug.size > 0) {
          const ids = [...bySlug.values()].map((row) => row.id);
          await tx.loreEntry.deleteMany({ where: { id: { in: ids } } });
          summary.removed = ids.length;
          summary.removedIds = ids;
        }
        return summary;
      },
      { timeout: 10 * 60_000, maxWait: 30_000 },
    );
  }

  /** Creates or replaces one entry of a server's own lore (server-made factions, ratified treaties). */
  async saveEntry(scope: string, draft: LoreDraft): Promise<LoreEntry> {
    const hash = contentHash(draft);
    const data = toRow(draft, hash);
    const row = await this.prisma.loreEntry.upsert({
      where: { scope_slug: { scope, slug: draft.slug } },
      create: { ...data, scope, slug: draft.slug },
      update: data,
    });
    return toEntry(row);
  }

  async getState(key: string): Promise<string | undefined> {
    return (await this.prisma.appState.findUnique({ where: { key } }))?.value;
  }

  async setState(key: string, value: string): Promise<void> {
    await this.prisma.appState.upsert({ where: { key }, create: { key, value }, update: { value } });
  }
}

const CREATE_BATCH = 500;

/** What the index reads of a row: no body, sources, source file, hash or dates. */
const INDEXED_COLUMNS = {
  id: true,
  scope: true,
  slug: true,
  kind: true,
  name: true,
  aliases: true,
  tags: true,
  quadrants: true,
  standing: true,
  summary: true,
  details: true,
} as const satisfies Partial<Record<keyof LoreRow, true>>;

type IndexedRow = Pick<LoreRow, keyof typeof INDEXED_COLUMNS>;

export function contentHash(draft: LoreDraft): string {
  return createHash("sha256").update(JSON.stringify(draft)).digest("hex");
}

function toRow(draft: LoreDraft, hash: string) {
  return {
    kind: draft.kind,
    name: draft.name,
    aliases: JSON.stringify(draft.aliases),
    tags: JSON.stringify(draft.tags),
    quadrants: JSON.stringify(draft.quadrants),
    standing: draft.standing,
    summary: draft.summary,
    body: draft.body,
    details: JSON.stringify(draft.details),
    sources: JSON.stringify(draft.sources),
    sourceFile: draft.sourceFile,
    contentHash: hash,
  };
}

/** An entry from a whole row, or from the indexed columns only (no body, sources or source file). */
function toEntry(row: IndexedRow & Partial<Pick<LoreRow, "body" | "sources" | "sourceFile">>): LoreEntry {
  return {
    id: row.id,
    scope: row.scope,
    slug: row.slug,
    kind: row.kind as LoreKind,
    name: row.name,
    aliases: JSON.parse(row.aliases) as string[],
    tags: JSON.parse(row.tags) as string[],
    quadrants: JSON.parse(row.quadrants) as Quadrant[],
    standing: row.standing as Standing | null,
    summary: row.summary,
    body: row.body ?? "",
    details: JSON.parse(row.details) as LoreDetails,
    sources: row.sources === undefined ? [] : (JSON.parse(row.sources) as string[]),
    sourceFile: row.sourceFile ?? null,
  };
}
