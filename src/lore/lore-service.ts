import type { Logger } from "../logging/logger.js";
import { type LoreFileProblem, loreFolderDigest, readLoreFolder } from "./lore-files.js";
import type { ImportSummary, LoreStore } from "./lore-store.js";
import { LruCache } from "./lru-cache.js";
import {
  CANON_SCOPE,
  type LoreBrief,
  type LoreDraft,
  type LoreEntry,
  type LoreHeader,
  type LoreKind,
  type LoreSource,
  type Quadrant,
  type Standing,
} from "./model.js";
import { type Page, pageOf } from "./paging.js";
import { type Resolution, resolveQuery } from "./resolve.js";
import { LoreIndex, type SearchHit, type SearchOptions } from "./search-index.js";

const CANON_DIGEST_KEY = "canon-digest";
const CANON_SOURCES_KEY = "canon-sources";

export type CanonImportResult =
  | { status: "unchanged" }
  | { status: "imported"; summary: ImportSummary }
  | { status: "invalid"; problems: LoreFileProblem[] };

export interface ImportProgress {
  onProgress?: (done: number, total: number) => void;
}

/** Lore for the rest of the bot: the store for durability, the index for answers in microseconds. */
export class LoreService {
  readonly index = new LoreIndex();
  private sources = new Map<string, LoreSource>();

  constructor(
    readonly store: LoreStore,
    private readonly log: Logger,
  ) {}

  /** Full entries read recently (cards are drawn from these; the index keeps only headers). */
  private readonly recent = new LruCache<string, LoreEntry>(300);

  /** Loads every stored entry into the index (row by row on SQLite, a page at a time on PostgreSQL). */
  async load(): Promise<void> {
    await this.store.eachEntry((entry) => this.index.upsert(entry));
    this.index.settle();
    const sources = await this.store.getState(CANON_SOURCES_KEY);
    if (sources) this.sources = new Map((JSON.parse(sources) as LoreSource[]).map((s) => [s.key, s]));
  }

  /**
   * Imports data/ when its files changed since the last import (or always with `force`). Invalid files leave
   * the stored canon exactly as it was.
   */
  async importCanon(dir: string, options: ImportProgress & { force?: boolean } = {}): Promise<CanonImportResult> {
    // Unchanged files are recognised from their bytes alone; validation runs only when something changed.
    if (!options.force && (await this.store.getState(CANON_DIGEST_KEY)) === loreFolderDigest(dir))
      return { status: "unchanged" };
    const folder = readLoreFolder(dir);
    if (folder.problems.length > 0) return { status: "invalid", problems: folder.problems };
    const summary = await this.store.importDrafts(CANON_SCOPE, folder.drafts, {
      prune: true,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    await this.store.setState(CANON_SOURCES_KEY, JSON.stringify(folder.sources));
    await this.store.setState(CANON_DIGEST_KEY, folder.digest);
    this.sources = new Map(folder.sources.map((s) => [s.key, s]));
    for (const id of summary.removedIds) {
      this.index.remove(id);
      this.recent.delete(id);
    }
    for (const entry of summary.written) {
      this.index.upsert(entry);
      this.recent.delete(entry.id);
    }
    this.log.info(
      { created: summary.created, updated: summary.updated, unchanged: summary.unchanged, removed: summary.removed },
      "canon lore imported",
    );
    return { status: "imported", summary };
  }

  /** Saves an entry of one server's own lore and puts it in the index at once. */
  async saveServerEntry(guildId: string, draft: LoreDraft): Promise<LoreEntry> {
    const entry = await this.store.saveEntry(guildId, draft);
    this.index.upsert(entry);
    this.recent.delete(entry.id);
    return entry;
  }

  /** The whole entry (body, relations, events) for a card, from the database; the last few hundred are kept. */
  async entry(header: Pick<LoreHeader, "id">): Promise<LoreEntry | undefined> {
    const cached = this.recent.get(header.id);
    if (cached) return cached;
    const entry = await this.store.byId(header.id);
    if (!entry) return undefined;
    this.recent.set(entry.id, entry);
    return entry;
  }

  /** Headers with their summaries, for a list or menu: from the entries read lately, the rest in one query. */
  async briefs(headers: readonly LoreHeader[]): Promise<LoreBrief[]> {
    const summaries = new Map<string, string>();
    const unread: string[] = [];
    for (const header of headers) {
      const entry = this.recent.get(header.id);
      if (entry) summaries.set(header.id, entry.summary);
      else unread.push(header.id);
    }
    if (unread.length > 0) for (const [id, summary] of await this.store.summariesOf(unread)) summaries.set(id, summary);
    return headers.map((header) => ({ ...header, summary: summaries.get(header.id) ?? "" }));
  }

  /**
   * Search with a small cache of the most recently used answers: many members type the same few names, letter by
   * letter, into autocomplete. The cache keys on the index version, so any change of lore makes every cached answer
   * stale at once (and unreachable: the least recently used go first).
   */
  search(query: string, options: SearchOptions): SearchHit[] {
    const key = `${this.index.version}|${options.guildId ?? ""}|${options.kinds?.join(",") ?? "*"}|${options.limit ?? 25}|${options.fullText ? 1 : 0}|${query.trim().toLowerCase()}`;
    const cached = this.searches.get(key);
    if (cached) return cached;
    const hits = this.index.search(query, options);
    this.searches.set(key, hits);
    return hits;
  }

  private readonly searches = new LruCache<string, SearchHit[]>(2000);

  resolve(query: string, guildId: string | null, kinds?: readonly LoreKind[]): Resolution {
    return resolveQuery(this.search(query, { guildId, limit: 25, ...(kinds ? { kinds } : {}) }));
  }

  /** An entry by id, only if this server may see it (ids from buttons and autocomplete are member input). */
  visible(id: string, guildId: string | null, kinds?: readonly LoreKind[]): LoreHeader | undefined {
    const entry = this.index.get(id);
    if (!entry || (entry.scope !== CANON_SCOPE && entry.scope !== guildId)) return undefined;
    if (kinds && !kinds.includes(entry.kind)) return undefined;
    return entry;
  }

  /** Looks a slug up in the server's own lore first, then canon. */
  bySlug(slug: string, guildId: string | null): LoreHeader | undefined {
    return (guildId ? this.index.getBySlug(guildId, slug) : undefined) ?? this.index.getBySlug(CANON_SCOPE, slug);
  }

  /**
   * One page of the factions a server sees, in name order, optionally of a quadrant or standing: only the page's
   * headers are built, however many factions the server has.
   */
  factionsPage(
    guildId: string | null,
    filter: { quadrant?: Quadrant; standing?: Standing },
    page: number,
    size: number,
  ): Page<LoreHeader> & { total: number } {
    const { total } = this.index.page(guildId, ["faction"], { offset: 0, limit: 0 }, filter);
    const { page: clamped, pageCount } = pageOf(total, page, size);
    const { items } = this.index.page(guildId, ["faction"], { offset: clamped * size, limit: size }, filter);
    return { items, page: clamped, pageCount, total };
  }

  /** Treaties that name the entry as a party. */
  treatiesOf(entry: Pick<LoreHeader, "slug">, guildId: string | null): LoreHeader[] {
    return this.index.list(guildId, ["treaty"]).filter((treaty) => treaty.parties?.includes(entry.slug));
  }

  source(key: string): LoreSource | undefined {
    return this.sources.get(key);
  }
}
