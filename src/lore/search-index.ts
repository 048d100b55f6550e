import Fuse from "fuse.js";
import { Columns, HeaderCache, KIND, QUADRANTS, SCOPE, STANDING, Symbols, TAGS } from "./index-tables.js";
import {
  CANON_SCOPE,
  headerOf,
  type LoreEntry,
  type LoreHeader,
  type LoreKind,
  type Quadrant,
  type Standing,
} from "./model.js";
import { compact, normalize, normalizedWords } from "./normalize.js";
import { Postings } from "./postings.js";
import { hashOf, SlotTable } from "./slot-table.js";
import { WordIds } from "./word-ids.js";

/**
 * How a hit matched, strongest first. `resolveQuery` decides from the tiers whether an answer is confident.
 * - exact: the whole query is a name or alias
 * - prefix: a name or alias starts with the query ("klingon emp")
 * - word: the query is one or more whole words inside a name or alias ("borg" in "Borg Collective")
 * - word-prefix: a word of a name or alias starts with the query ("coll" in "Borg Collective")
 * - compact: the same ignoring spaces ("jem hadar" for Jem'Hadar, "deepspace9")
 * - fuzzy: a misspelling, ranked by fuse.js
 * - text: the query's words appear in the summary or tags only
 */
export type MatchTier = "exact" | "prefix" | "word" | "word-prefix" | "compact" | "fuzzy" | "text";

export interface SearchHit {
  entry: LoreHeader;
  score: number;
  tier: MatchTier;
  /** The name or alias that matched, as written. */
  matched: string;
  /** The matched key was the entry's name (not an alias). */
  viaName: boolean;
  /** The query stands as whole words in the matched key. */
  wholeWord: boolean;
}

export interface SearchOptions {
  guildId: string | null;
  kinds?: readonly LoreKind[];
  limit?: number;
  /** Also match words of summaries and tags (for /lore search; lookups by name leave it off). */
  fullText?: boolean;
}

/** Slots the cached listings hold at most (4 bytes each). */
const LIST_CACHE_SLOTS = 1_000_000;
/** How many trigram candidates fuse.js ranks. */
const FUZZY_CANDIDATES = 60;
/** Candidates with fewer shared trigrams than this share of the query's are not worth ranking. */
const MIN_OVERLAP = 0.34;
const FUSE_THRESHOLD = 0.45;
/** Misspellings are looked for only when names and prefixes found fewer entries than this. */
const FUZZY_WHEN_FEWER = 8;
/** Postings added since the last pack are scanned at every search; past this many they are packed first. */
const SEARCH_TAIL_MAX = 1024;
/** New slots up to this many go to the trigram postings' tail; more are packed in at once. */
const FEW_SLOTS = 32;
/** Separates the keys of one slot in its record (normalized keys hold only a-z, 0-9 and single spaces). */
const KEY_END = 10;
const SPACE = 32;

/** Which visible entries a listing keeps, read from the index's columns (no header is built for the others). */
export interface ListFilter {
  quadrant?: string;
  standing?: string;
}

/** A page of a listing: its entries and how many the whole listing holds. */
export interface ListPage {
  items: LoreHeader[];
  total: number;
}

/**
 * An in-memory index over the searchable part of every lore entry of every scope (headers: names, aliases, kind,
 * standing; summaries and bodies stay in the database), updated entry by entry as lore changes.
 *
 * - exact names and aliases, prefixes and word prefixes as typed: binary search in a sorted list of word-start
 *   suffixes of every key;
 * - misspellings: a trigram index picks a few dozen candidates, and fuse.js ranks only those.
 *
 * Memory is what bounds it (the goal is 100,000 entries in a small process). An entry is one flat string,
 * its record (normalized keys, id, slug, name, aliases), and a row of small integers (scope, kind,
 * standing, tag and quadrant lists by number); the header objects callers get are built from them when asked, and
 * the most recent few thousand kept. The postings live in packed typed arrays rather than per-key JS arrays: see
 * `Postings` and the refs below.
 */
export class LoreIndex {
  /**
   * Slot n's record: its normalized name and aliases, each ended by "\n" but the last (key i is the name for i = 0
   * and alias i - 1 after it; an alias that normalizes to nothing or repeats an earlier key leaves an empty key), then
   * FIELD and the id, slug, name and each alias, FIELD between them. Kept after removal until compaction,
   * because sorted suffix refs still point into it.
   */
  private records: string[] = [];
  /** Slot n's scope, kind, standing, tags and quadrants as numbers (see `Columns`); scope DEAD once removed. */
  private readonly columns = new Columns();
  /** Scopes, kinds and standings by number, and each string's number: one copy of each for every entry. */
  private readonly symbols = new Symbols();
  /** Tag and quadrant lists by number (0 is the empty list), frozen: one copy of each list for every entry. */
  private lists: (readonly string[])[] = [NONE];
  private readonly listNumbers = new Map<string, number>([["", 0]]);
  /** The rare parts of a header (treaty parties and date, a standing note) by slot. */
  private extras = new Map<number, Extras>();
  /** Live slots by id, and by scope and slug (both read the keys from the records: no strings of their own). */
  private readonly slotById = new SlotTable((n) => hashOf(this.field(n, ID)));
  private readonly slotBySlug = new SlotTable((n) =>
    hashOf(this.symbols.text(this.columns.get(n, SCOPE)), this.field(n, SLUG)),
  );
  /** Trigram code (see `eachGram`) → slots whose keys have it. */
  private readonly grams = new Postings();
  /** Word number (`wordIds`) → slots whose summary or tags have the word. */
  private readonly words = new Postings();
  private readonly wordIds = new WordIds();
  /**
   * Word-start suffixes of every key, sorted, as refs (slot, offset into the slot's record) rather than strings:
   * exact and prefix search is a binary search in here.
   */
  private sorted: Uint32Array = new Uint32Array(0);
  /**
   * Slots below this are in `sorted` and `grams`. Both are derived from the keys, so an upsert only stores the record
   * and the next search (or `settle`) brings them up to date in one go: nothing is held for them in between.
   */
  private built = 0;
  private dead = 0;
  private live = 0;
  /** Shared trigrams per slot during a misspelling search; sized at the first one. */
  private counts: Int32Array = new Int32Array(0);
  /** The last pass that saw each trigram, so that a slot lists a trigram once however many keys share it. */
  private readonly gramSeen = new Int32Array(GRAM_CODES);
  private gramPass = 0;
  /** Listings (slots in name order) by server, kinds and filter; emptied by every change or when too big. */
  private readonly listCache = new Map<string, Int32Array>();
  private listCacheSlots = 0;
  /** Headers built lately, by slot: search results and pages share them. */
  private readonly headerCache = new HeaderCache();

  get size(): number {
    return this.live;
  }

  /** Changes with every upsert and removal: caches of search results key on it. */
  version = 0;

  upsert(entry: LoreEntry | LoreHeader): void {
    const header = "body" in entry ? headerOf(entry) : entry;
    this.remove(header.id);
    this.version += 1;
    if (this.records.length >= MAX_SLOTS) this.compact();
    if (this.records.length >= MAX_SLOTS) throw new Error(`The lore index holds at most ${MAX_SLOTS} entries.`);
    const n = this.records.length;
    this.records.push(recordOf(header));
    const scope = this.symbols.number(header.scope);
    this.columns.push(
      scope,
      this.symbols.number(header.kind),
      header.standing === null ? NO_STANDING : this.symbols.number(header.standing),
      this.listNumber(header.tags),
      this.listNumber(header.quadrants),
    );
    if (header.parties || header.signed !== undefined || header.standingNote !== undefined) {
      const extras: Extras = {};
      if (header.parties) extras.parties = Object.freeze([...header.parties]) as string[];
      if (header.signed !== undefined) extras.signed = header.signed;
      if (header.standingNote !== undefined) extras.standingNote = header.standingNote;
      this.extras.set(n, extras);
    }
    this.live += 1;
    this.slotById.insert(hashOf(header.id), n);
    // The newest entry of a scope and slug is the one found by it (the store keeps them unique anyway).
    const slugHash = hashOf(header.scope, header.slug);
    const sameSlug = this.slotBySlug.find(slugHash, this.hasSlug(scope, header.slug));
    if (sameSlug !== undefined) this.slotBySlug.remove(slugHash, sameSlug);
    this.slotBySlug.insert(slugHash, n);
    const wordIds: number[] = [];
    for (const word of summaryWords("body" in entry ? entry.summary : "", header.tags)) {
      if (word.length < 3) continue;
      const id = this.wordIds.add(word);
      if (wordIds.includes(id)) continue;
      wordIds.push(id);
      this.words.add(id, n);
    }
    this.clearListings();
  }

  remove(id: string): void {
    const hash = hashOf(id);
    const n = this.slotById.find(hash, this.hasId(id));
    if (n === undefined) return;
    this.version += 1;
    this.slotById.remove(hash, n);
    this.slotBySlug.remove(hashOf(this.symbols.text(this.columns.get(n, SCOPE)), this.field(n, SLUG)), n);
    this.columns.set(n, SCOPE, DEAD);
    this.extras.delete(n);
    this.headerCache.delete(n);
    this.live -= 1;
    this.dead += 1;
    this.clearListings();
    // Tombstones cost a little on every search; past a quarter of the index, rebuild the postings compactly.
    if (this.dead > 1000 && this.dead > this.records.length / 4) this.compact();
  }

  /** The entry with this id. Ids come from members too (autocomplete values): any text is a safe question. */
  get(id: string): LoreHeader | undefined {
    // The record separator never occurs in an id: text holding one could otherwise match an id and what follows.
    if (id.includes(FIELD_TEXT)) return undefined;
    const n = this.slotById.find(hashOf(id), this.hasId(id));
    return n === undefined ? undefined : this.header(n);
  }

  getBySlug(scope: string, slug: string): LoreHeader | undefined {
    const code = this.symbols.find(scope);
    if (code === undefined || slug.includes(FIELD_TEXT)) return undefined;
    const n = this.slotBySlug.find(hashOf(scope, slug), this.hasSlug(code, slug));
    return n === undefined ? undefined : this.header(n);
  }

  private hasId(id: string): (n: number) => boolean {
    return (n) => this.columns.get(n, SCOPE) !== DEAD && this.fieldIs(n, ID, id);
  }

  private hasSlug(scope: number, slug: string): (n: number) => boolean {
    return (n) => this.columns.get(n, SCOPE) === scope && this.fieldIs(n, SLUG, slug);
  }

  /** Every entry visible in a server, optionally of some kinds, in name order. Builds a header for each. */
  list(guildId: string | null, kinds?: readonly LoreKind[]): LoreHeader[] {
    return Array.from(this.listing(guildId, kinds), (n) => this.header(n));
  }

  /**
   * Entries `offset` to `offset + limit` of `list(guildId, kinds)` less those the filter leaves out, and how many it
   * leaves in: a page of a server of 100,000 entries builds only the headers it shows.
   */
  page(
    guildId: string | null,
    kinds: readonly LoreKind[] | undefined,
    range: { offset: number; limit: number },
    filter: ListFilter = {},
  ): ListPage {
    const slots = this.listing(guildId, kinds, filter);
    const items = Array.from(slots.subarray(range.offset, range.offset + range.limit), (n) => this.header(n));
    return { items, total: slots.length };
  }

  /** The slots of a listing, in name order; entries of the same name kind by kind in the order asked. */
  private listing(guildId: string | null, kinds?: readonly LoreKind[], filter: ListFilter = {}): Int32Array {
    const cacheKey = `${guildId ?? ""}|${kinds?.join(",") ?? "*"}|${filter.quadrant ?? ""}|${filter.standing ?? ""}`;
    const cached = this.listCache.get(cacheKey);
    if (cached) return cached;
    const visible = this.visibility(guildId, kinds);
    const standing = filter.standing === undefined ? undefined : (this.symbols.find(filter.standing) ?? MISSING);
    const quadrant = filter.quadrant;
    const kindOrder = kinds?.map((kind) => this.symbols.find(kind) ?? MISSING);
    const slots: number[] = [];
    for (let n = 0; n < this.records.length; n += 1) {
      if (!visible(n)) continue;
      if (standing !== undefined && this.columns.get(n, STANDING) !== standing) continue;
      if (
        quadrant !== undefined &&
        !(this.lists[this.columns.get(n, QUADRANTS)] as readonly string[]).includes(quadrant)
      )
        continue;
      slots.push(n);
    }
    const names = new Map<number, string>();
    for (const n of slots) names.set(n, this.field(n, NAME));
    const rank = (n: number) => (kindOrder ? kindOrder.indexOf(this.columns.get(n, KIND)) : 0);
    slots.sort((a, b) => {
      const nameA = names.get(a) as string;
      const nameB = names.get(b) as string;
      return nameA < nameB ? -1 : nameA > nameB ? 1 : rank(a) - rank(b);
    });
    const out = Int32Array.from(slots);
    // Bounded by slots held, not listings: every filter of a server of 100,000 entries is 400 KB.
    if (this.listCache.size >= 256 || this.listCacheSlots + out.length > LIST_CACHE_SLOTS) this.clearListings();
    this.listCache.set(cacheKey, out);
    this.listCacheSlots += out.length;
    return out;
  }

  private clearListings(): void {
    this.listCache.clear();
    this.listCacheSlots = 0;
  }

  /**
   * Sorts new suffixes in and packs new postings now rather than at the next search: after a bulk load, so the
   * first member to search does not wait for it.
   */
  settle(): void {
    this.catchUp();
    this.grams.pack();
    this.words.pack();
  }

  search(query: string, options: SearchOptions): SearchHit[] {
    const limit = options.limit ?? 25;
    const q = normalize(query).slice(0, 100);
    if (q === "") return [];
    const qCompact = compact(q);
    const visible = this.visibility(options.guildId, options.kinds);
    const hits = new Map<number, Found>();
    const consider = (n: number) => {
      if (hits.has(n) || !visible(n)) return;
      const found = bestDirectMatch(this.records[n] as string, q, qCompact);
      if (found) hits.set(n, found);
    };

    this.catchUp();
    if (this.grams.tailLength > SEARCH_TAIL_MAX) this.grams.pack();
    if (this.words.tailLength > SEARCH_TAIL_MAX) this.words.pack();
    const start = this.bound(q, false);
    // Exact names and aliases first, all of them: the whole keys among the suffixes equal to the query.
    const equalEnd = this.bound(q, true);
    for (let i = start; i < equalEnd; i += 1) {
      const r = this.sorted[i] as number;
      if (this.isKeyStart(r)) consider(slotOf(r));
    }
    // Prefix and word-prefix matches, in key order, until there are enough strong ones.
    const enough = Math.max(limit * 4, 100);
    const end = Math.min(this.sorted.length, start + 4000);
    for (let i = start; i < end && hits.size < enough; i += 1) {
      const r = this.sorted[i] as number;
      if (this.compareSuffix(r, q, true) !== 0) break;
      consider(slotOf(r));
    }
    // Misspellings (and squashed words): trigram candidates, ranked by fuse.js. Not needed once the strong hits fill the answer.
    // A name typed out that already matches exactly or as a prefix needs no misspelling search (the costly part).
    const named = q.length >= 5 && [...hits.values()].some((hit) => hit.tier === "exact" || hit.tier === "prefix");
    if (!named && hits.size < Math.min(limit, FUZZY_WHEN_FEWER) && q.length >= 3)
      this.fuzzy(q, qCompact, visible, hits);
    if (options.fullText) this.textHits(q, visible, hits);
    // Names break ties of score; read from the records only for the hits that tie.
    const ranked = Array.from(hits, ([n, found]) => ({ n, found, name: "" }));
    const nameOf = (hit: { n: number; name: string }) => {
      if (hit.name === "") hit.name = this.field(hit.n, NAME);
      return hit.name;
    };
    ranked.sort((a, b) => {
      const byScore = b.found.score - a.found.score;
      if (byScore !== 0) return byScore;
      const nameA = nameOf(a);
      const nameB = nameOf(b);
      return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
    });
    return ranked.slice(0, limit).map(({ n, found }) => {
      const entry = this.header(n);
      return {
        entry,
        score: found.score,
        tier: found.tier,
        matched: found.k === 0 ? entry.name : (entry.aliases[found.k - 1] as string),
        viaName: found.k === 0,
        wholeWord: found.wholeWord,
      };
    });
  }

  /** Candidates sharing the most trigrams with the query; direct matches among them, fuse.js for the rest. */
  private fuzzy(q: string, qCompact: string, visible: (n: number) => boolean, hits: Map<number, Found>): void {
    const queryGrams: number[] = [];
    eachGram(q, (code) => {
      if (!queryGrams.includes(code)) queryGrams.push(code);
    });
    if (this.counts.length < this.records.length) this.counts = new Int32Array(Math.ceil(this.records.length * 1.25));
    const counts = this.counts;
    const touched: number[] = [];
    // Trigrams shared by a large part of the index ("ion", " st") say little and cost most: count the rarest ones,
    // keeping at least four so that short queries still find their candidates.
    const lists = queryGrams
      .map((code) => ({ code, length: this.grams.count(code) }))
      .filter((list) => list.length > 0)
      .sort((a, b) => a.length - b.length);
    const common = Math.max(2000, this.records.length * 0.04);
    const used = lists.filter((list, i) => i < 4 || list.length <= common);
    for (const { code } of used) this.grams.tally(code, counts, touched);
    const floor = Math.max(1, Math.ceil(used.length * MIN_OVERLAP));
    // Bucket by shared-trigram count (at most the query's trigram count): no sort of thousands of candidates.
    const buckets: number[][] = Array.from({ length: used.length + 1 }, () => []);
    for (const n of touched) {
      const count = counts[n] as number;
      counts[n] = 0;
      if (count >= floor && !hits.has(n)) buckets[Math.min(count, used.length)]?.push(n);
    }
    const ranked: number[] = [];
    for (let c = used.length; c >= floor && ranked.length < FUZZY_CANDIDATES * 4; c -= 1)
      for (const n of buckets[c] ?? []) ranked.push(n);
    // The keys fuse.js ranks, as plain strings (no records of keyed objects to build), with their slot and key number.
    const texts: string[] = [];
    const slots: number[] = [];
    const keyNumbers: number[] = [];
    const shortest = shortestMatchable(q.length);
    let candidates = 0;
    for (const n of ranked) {
      if (candidates >= FUZZY_CANDIDATES) break;
      if (!visible(n)) continue;
      const record = this.records[n] as string;
      const direct = bestDirectMatch(record, q, qCompact);
      if (direct) {
        hits.set(n, direct);
        continue;
      }
      candidates += 1;
      eachKey(record, (start, end, k) => {
        if (end - start < shortest) return;
        texts.push(record.slice(start, end));
        slots.push(n);
        keyNumbers.push(k);
      });
    }
    if (candidates === 0) return;
    const fuse = new Fuse(texts, FUSE_OPTIONS);
    const best = new Map<number, Found>();
    for (const result of fuse.search(q)) {
      const text = result.item;
      const n = slots[result.refIndex] as number;
      const k = keyNumbers[result.refIndex] as number;
      // Fuse compares the query with the whole key; a short query inside a long key scores well by design of
      // ignoreLocation, so weigh by how much of the key the query covers.
      const coverage = Math.min(1, q.length / text.length);
      const score = 0.7 * (1 - (result.score ?? 1)) * (0.75 + 0.25 * coverage) + (k === 0 ? 0.001 : 0);
      const previous = best.get(n);
      if (!previous || score > previous.score) best.set(n, { score, tier: "fuzzy", k, wholeWord: false });
    }
    for (const [n, found] of best) hits.set(n, found);
  }

  /** Entries whose summary or tags hold the query's words, for those not found by name. */
  private textHits(q: string, visible: (n: number) => boolean, hits: Map<number, Found>): void {
    const words = q.split(" ").filter((word) => word.length >= 3);
    const counts = new Map<number, number>();
    for (const word of words) {
      const id = this.wordIds.find(word);
      if (id === undefined) continue;
      for (const n of this.words.get(id)) counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    for (const [n, count] of counts)
      if (!hits.has(n) && visible(n))
        hits.set(n, { score: 0.3 * (count / words.length), tier: "text", k: 0, wholeWord: false });
  }

  /** Whether slot n is live, visible in the server and of one of the kinds: from the columns alone. */
  private visibility(guildId: string | null, kinds?: readonly LoreKind[]): (n: number) => boolean {
    const canon = this.symbols.find(CANON_SCOPE) ?? MISSING;
    const own = guildId === null ? MISSING : (this.symbols.find(guildId) ?? MISSING);
    const kindCodes = kinds?.map((kind) => this.symbols.find(kind) ?? MISSING);
    return (n) => {
      const scope = this.columns.get(n, SCOPE);
      if (scope !== canon && scope !== own) return false;
      return !kindCodes || kindCodes.includes(this.columns.get(n, KIND));
    };
  }

  /** Slot n's header, built from its record and columns (the last few thousand are kept). */
  private header(n: number): LoreHeader {
    const cached = this.headerCache.get(n);
    if (cached) return cached;
    const record = this.records[n] as string;
    const idAt = record.indexOf(FIELD_TEXT) + 1;
    const slugAt = record.indexOf(FIELD_TEXT, idAt) + 1;
    const nameAt = record.indexOf(FIELD_TEXT, slugAt) + 1;
    const nameEnd = record.indexOf(FIELD_TEXT, nameAt);
    const id = record.slice(idAt, slugAt - 1);
    const slug = record.slice(slugAt, nameAt - 1);
    const name = nameEnd === -1 ? record.slice(nameAt) : record.slice(nameAt, nameEnd);
    const aliases = nameEnd === -1 ? (NONE as string[]) : record.slice(nameEnd + 1).split(FIELD_TEXT);
    const standing = this.columns.get(n, STANDING);
    const header: LoreHeader = {
      id,
      scope: this.symbols.text(this.columns.get(n, SCOPE)),
      slug,
      kind: this.symbols.text(this.columns.get(n, KIND)) as LoreKind,
      name,
      aliases,
      tags: this.lists[this.columns.get(n, TAGS)] as string[],
      quadrants: this.lists[this.columns.get(n, QUADRANTS)] as Quadrant[],
      standing: standing === NO_STANDING ? null : (this.symbols.text(standing) as Standing),
    };
    const extras = this.extras.get(n);
    if (extras) Object.assign(header, extras);
    this.headerCache.set(n, header);
    return header;
  }

  /** Field `which` of slot n's record (ID, SLUG or NAME). */
  private field(n: number, which: number): string {
    const record = this.records[n] as string;
    let start = 0;
    for (let i = 0; i < which; i += 1) start = record.indexOf(FIELD_TEXT, start) + 1;
    const end = record.indexOf(FIELD_TEXT, start);
    return record.slice(start, end === -1 ? record.length : end);
  }

  /** Field `which` of slot n's record equals `text`, compared in place. */
  private fieldIs(n: number, which: number, text: string): boolean {
    const record = this.records[n] as string;
    let start = 0;
    for (let i = 0; i < which; i += 1) start = record.indexOf(FIELD_TEXT, start) + 1;
    return record.startsWith(text, start) && record.charCodeAt(start + text.length) === FIELD;
  }

  private listNumber(list: readonly string[]): number {
    if (list.length === 0) return 0;
    const key = list.length === 1 ? (list[0] as string) : list.join("\n");
    const known = this.listNumbers.get(key);
    if (known !== undefined) return known;
    // Frozen: a shared list written through one header would change them all.
    this.lists.push(Object.freeze(list.map((item) => this.symbols.text(this.symbols.number(item)))));
    this.listNumbers.set(key, this.lists.length - 1);
    return this.lists.length - 1;
  }

  /** Puts the slots upserted since the last search into the sorted suffixes and the trigram postings. */
  private catchUp(): void {
    const from = this.built;
    const to = this.records.length;
    if (from === to) return;
    this.built = to;
    // A few slots (an edit, a new server faction) wait in the postings' tail; a load is packed in at once.
    if (to - from <= FEW_SLOTS)
      for (let n = from; n < to; n += 1) this.eachGramOnce(n, (code) => this.grams.add(code, n));
    else this.grams.append(from, to, GRAM_CODES, (n, visit) => this.eachGramOnce(n, visit));
    const fresh: number[] = [];
    for (let n = from; n < to; n += 1) {
      const keys = this.records[n] as string;
      eachKey(keys, (start, end) => {
        fresh.push(ref(n, start));
        for (let i = start + 1; i < end; i += 1) if (keys.charCodeAt(i - 1) === SPACE) fresh.push(ref(n, i));
      });
    }
    this.sortRefs(fresh);
    const merged = new Uint32Array(this.sorted.length + fresh.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < this.sorted.length && j < fresh.length) {
      if (this.compareRefs(this.sorted[i] as number, fresh[j] as number) <= 0) merged[k++] = this.sorted[i++] as number;
      else merged[k++] = fresh[j++] as number;
    }
    while (i < this.sorted.length) merged[k++] = this.sorted[i++] as number;
    while (j < fresh.length) merged[k++] = fresh[j++] as number;
    this.sorted = merged;
  }

  /**
   * Sorts refs as `compareRefs` orders them. A load sorts some 370,000 at 100,000 entries, so each is given a number
   * from the first four characters of its suffix and sorted by that (a numeric sort, no comparisons in JavaScript);
   * runs that tie on four characters still in the key are sorted the same way by the next four, and so on.
   */
  private sortRefs(refs: number[]): void {
    // One scratch array for every level: a run's keys are written over its parent's, which are no longer needed.
    this.sortRefRange(refs, new Float64Array(refs.length), 0, refs.length, 0);
  }

  private sortRefRange(refs: number[], scratch: Float64Array, from: number, to: number, depth: number): void {
    if (to - from < SMALL_RUN || depth === MAX_PREFIX_DEPTH) {
      const run = refs.slice(from, to).sort((a, b) => this.compareRefs(a, b));
      for (let k = 0; k < run.length; k += 1) refs[from + k] = run[k] as number;
      return;
    }
    const keyed = scratch.subarray(from, to);
    for (let i = 0; i < keyed.length; i += 1) {
      const r = refs[from + i] as number;
      keyed[i] = this.prefixCode(r, depth * PREFIX_LENGTH) * REF_SPAN + r;
    }
    keyed.sort();
    for (let i = 0; i < keyed.length; i += 1) refs[from + i] = (keyed[i] as number) % REF_SPAN;
    for (let i = 0; i < keyed.length; ) {
      const prefix = Math.floor((keyed[i] as number) / REF_SPAN);
      let j = i + 1;
      while (j < keyed.length && Math.floor((keyed[j] as number) / REF_SPAN) === prefix) j += 1;
      // Keys that end within these characters tie only with equal keys, which the ref order already sorts.
      if (j - i > 1 && prefix % PREFIX_SYMBOLS !== 0) this.sortRefRange(refs, scratch, from + i, from + j, depth + 1);
      i = j;
    }
  }

  /** PREFIX_LENGTH characters of a ref's suffix from `skip` on (all in the key) as one number, in code unit order. */
  private prefixCode(r: number, skip: number): number {
    const text = this.records[slotOf(r)] as string;
    let at = offsetOf(r) + skip;
    let code = 0;
    let ended = false;
    for (let i = 0; i < PREFIX_LENGTH; i += 1) {
      const c: number = ended ? KEY_END : keyCode(text, at++);
      ended = c === KEY_END;
      code = code * PREFIX_SYMBOLS + prefixSymbol(c);
    }
    return code;
  }

  /** The distinct trigrams of slot n's keys. */
  private eachGramOnce(n: number, visit: (code: number) => void): void {
    if (this.gramPass === 0x7fffffff) {
      this.gramSeen.fill(0);
      this.gramPass = 0;
    }
    const pass = ++this.gramPass;
    eachGram(this.records[n] as string, (code) => {
      if (this.gramSeen[code] === pass) return;
      this.gramSeen[code] = pass;
      visit(code);
    });
  }

  private isKeyStart(r: number): boolean {
    const offset = offsetOf(r);
    return offset === 0 || (this.records[slotOf(r)] as string).charCodeAt(offset - 1) === KEY_END;
  }

  /** Orders two refs by their suffixes (to the end of their key), code unit by code unit, then by slot and offset. */
  private compareRefs(a: number, b: number): number {
    const textA = this.records[slotOf(a)] as string;
    const textB = this.records[slotOf(b)] as string;
    let i = offsetOf(a);
    let j = offsetOf(b);
    for (; ; i += 1, j += 1) {
      const ca = keyCode(textA, i);
      const cb = keyCode(textB, j);
      if (ca !== cb) return ca === KEY_END ? -1 : cb === KEY_END ? 1 : ca - cb;
      if (ca === KEY_END) break;
    }
    return a - b;
  }

  /** Compares a ref's suffix with a string by code unit; with `asPrefix`, a suffix that starts with it is equal. */
  private compareSuffix(r: number, other: string, asPrefix: boolean): number {
    const text = this.records[slotOf(r)] as string;
    const offset = offsetOf(r);
    for (let i = 0; i < other.length; i += 1) {
      const c = keyCode(text, offset + i);
      if (c === KEY_END) return -1;
      const diff = c - other.charCodeAt(i);
      if (diff !== 0) return diff;
    }
    return asPrefix || keyCode(text, offset + other.length) === KEY_END ? 0 : 1;
  }

  /** Where the suffixes not below `q` start, or with `past`, those above it (a binary search in the sorted refs). */
  private bound(q: string, past: boolean): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const order = this.compareSuffix(this.sorted[mid] as number, q, false);
      if (order < 0 || (past && order === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Drops dead slots: live ones are numbered anew in the same order, so the records, columns, postings and sorted
   * suffixes keep their order and are renumbered, not derived again (the words of summaries, which the index does
   * not keep, stay found).
   */
  private compact(): void {
    this.catchUp();
    const newSlotOf = new Int32Array(this.records.length).fill(-1);
    const records: string[] = [];
    const columns = new Columns();
    const extras = new Map<number, Extras>();
    for (let n = 0; n < this.records.length; n += 1) {
      if (this.columns.get(n, SCOPE) === DEAD) continue;
      const next = records.length;
      newSlotOf[n] = next;
      records.push(this.records[n] as string);
      columns.copyRow(this.columns, n);
      const extra = this.extras.get(n);
      if (extra) extras.set(next, extra);
    }
    this.records = records;
    this.columns.replaceWith(columns);
    this.extras = extras;
    this.grams.renumber(newSlotOf);
    this.words.renumber(newSlotOf);
    let kept = 0;
    const sorted = this.sorted;
    for (const r of sorted) {
      const slot = newSlotOf[slotOf(r)] as number;
      if (slot >= 0) sorted[kept++] = ref(slot, offsetOf(r));
    }
    this.sorted = sorted.slice(0, kept);
    this.built = records.length;
    this.dead = 0;
    this.slotById.clear();
    this.slotBySlug.clear();
    for (let n = 0; n < records.length; n += 1) {
      this.slotById.insert(hashOf(this.field(n, ID)), n);
      this.slotBySlug.insert(hashOf(this.symbols.text(this.columns.get(n, SCOPE)), this.field(n, SLUG)), n);
    }
    this.headerCache.clear();
    this.clearListings();
  }
}

type Extras = Pick<LoreHeader, "parties" | "signed" | "standingNote">;

/** The empty tag or quadrant list of every header that has none. */
const NONE: readonly string[] = Object.freeze([]);

// The fields of a record after its keys, by number.
const ID = 1;
const SLUG = 2;
const NAME = 3;
/** The scope column of a removed slot. */
const DEAD = -1;
/** The standing column of an entry with none. */
const NO_STANDING = -1;
/** A number no symbol has: what a scope, kind or standing never seen is looked up as. */
const MISSING = -2;

/** Between the fields of a record. Names and aliases hold none: `recordText` makes it a space. */
const FIELD = 31;
const FIELD_TEXT = "\u001f";

function recordText(text: string): string {
  return text.includes(FIELD_TEXT) ? text.replaceAll(FIELD_TEXT, " ") : text;
}

/** A header as one flat string: keys, id, slug, name, aliases. */
function recordOf(header: LoreHeader): string {
  // join copies into one flat string (no ropes or slices of the caller's strings kept alive).
  return [keysOf(header), header.id, header.slug, recordText(header.name), ...header.aliases.map(recordText)].join(
    FIELD_TEXT,
  );
}

/** Refs sort by prefix code first: prefix code × REF_SPAN + ref stays an exact double (38⁴ × 2³² < 2⁵³). */
const PREFIX_LENGTH = 4;
const PREFIX_SYMBOLS = 38;
/** Runs shorter than this, or tied past this many prefixes, are sorted by comparing suffixes. */
const SMALL_RUN = 16;
const MAX_PREFIX_DEPTH = 8;
const REF_SPAN = 2 ** 32;

/** Key end, space, digits and letters as 0 to 37, in code unit order (what normalized keys are made of). */
function prefixSymbol(c: number): number {
  if (c === KEY_END) return 0;
  if (c >= 97) return c - 97 + 12;
  if (c >= 48) return c - 48 + 2;
  return 1;
}

/** A key's code unit at i, or KEY_END where the key ends (at "\n", FIELD or the end of the record). */
function keyCode(record: string, i: number): number {
  const c = i < record.length ? record.charCodeAt(i) : KEY_END;
  return c < SPACE ? KEY_END : c;
}

/** How fuse.js ranks misspellings: the query against each key of the candidates, anywhere in the key. */
export const FUSE_OPTIONS = {
  includeScore: true,
  ignoreLocation: true,
  threshold: FUSE_THRESHOLD,
  minMatchCharLength: 2,
} as const;

/**
 * The shortest key fuse.js can match a query of this length to: each character the key lacks is an error, and a
 * match allows threshold × the query's length of them. Shorter keys are not handed over, which changes no answer.
 * (Queries over 32 characters are matched in pieces, where a short key could match one piece: they keep all.)
 */
export function shortestMatchable(queryLength: number): number {
  return queryLength <= 32 ? queryLength - Math.floor(FUSE_THRESHOLD * queryLength) : 0;
}

/** How one entry matched, before its header is built (k: the key, 0 the name). */
interface Found {
  score: number;
  tier: MatchTier;
  k: number;
  wholeWord: boolean;
}

/** The words of a summary and its tags, normalized, repeats and all. */
function summaryWords(summary: string, tags: readonly string[]): string[] {
  return normalizedWords(tags.length === 0 ? summary : `${summary} ${tags.join(" ")}`);
}

/**
 * The keys string of a header: its name and aliases normalized, "\n" after each but the last, an empty key where one
 * normalizes to nothing or repeats an earlier one. Refs keep offsets below 4096: keys past that are not indexed (the
 * lore files allow a name and 30 aliases of 100 characters, some 3,100).
 */
function keysOf(header: LoreHeader): string {
  const seen = new Set<string>();
  const keys: string[] = [];
  let length = 0;
  for (const original of [header.name, ...header.aliases]) {
    const text = normalize(original);
    const key = text === "" || seen.has(text) ? "" : text;
    if (length + key.length >= MAX_OFFSET) break;
    seen.add(text);
    keys.push(key);
    length += key.length + 1;
  }
  // join copies into one flat string (no ropes or slices of the normalized keys kept alive).
  return keys.join("\n");
}

/**
 * Visits each non-empty key of a record's keys (or of a normalized query): where it starts and ends, and its number
 * (0 is the name). The keys end at the record's first FIELD.
 */
function eachKey(keys: string, visit: (start: number, end: number, k: number) => void): void {
  let last = keys.indexOf(FIELD_TEXT);
  if (last === -1) last = keys.length;
  let k = 0;
  for (let start = 0; start <= last; k += 1) {
    let end = keys.indexOf("\n", start);
    if (end === -1 || end > last) end = last;
    if (end > start) visit(start, end, k);
    start = end + 1;
  }
}

// Trigrams are numbers, not strings: normalized text holds only space, a-z and 0-9, 37 symbols, so three of them
// make a number below 37³ that indexes the postings directly (no map of 50,000 short strings).
const GRAM_CODES = 37 * 37 * 37;

function symbol(c: number): number {
  if (c >= 97 && c <= 122) return c - 96;
  if (c >= 48 && c <= 57) return c - 21;
  return 0;
}

/**
 * The trigrams of each key of a keys string (or of one normalized query), padded as "  key " so that word starts
 * weigh in, in order (a trigram may come more than once).
 */
function eachGram(keys: string, visit: (code: number) => void): void {
  eachKey(keys, (start, end) => {
    // The two leading spaces are symbol 0, so the first code is just the first letter's symbol.
    let code = 0;
    for (let i = start; i <= end; i += 1) {
      code = (code * 37 + (i < end ? symbol(keys.charCodeAt(i)) : 0)) % GRAM_CODES;
      visit(code);
    }
  });
}

// A ref packs (slot, offset into the slot's keys) into one number below 2³², for a Uint32Array: keys up to 4,096
// characters (the lore files allow a name and 30 aliases of 100) and up to 1,048,576 slots.
const MAX_OFFSET = 4096;
const MAX_SLOTS = 2 ** 32 / MAX_OFFSET;
const ref = (slot: number, offset: number) => slot * MAX_OFFSET + offset;
const slotOf = (r: number) => Math.floor(r / MAX_OFFSET);
const offsetOf = (r: number) => r % MAX_OFFSET;

const TIER_BASE: Record<Exclude<MatchTier, "fuzzy" | "text">, number> = {
  exact: 1,
  prefix: 0.9,
  word: 0.85,
  "word-prefix": 0.8,
  compact: 0.76,
};

/**
 * Where the query starts a word of the key keys[start, end): whole word, word prefix, or not at all (no string
 * allocation). The query holds no "\n", so a match that starts inside the key ends inside it.
 */
function wordMatch(keys: string, start: number, end: number, q: string): "whole" | "prefix" | null {
  let found: "prefix" | null = null;
  for (let i = keys.indexOf(q, start); i !== -1 && i < end; i = keys.indexOf(q, i + 1)) {
    if (i > start && keys.charCodeAt(i - 1) !== SPACE) continue;
    const after = i + q.length;
    if (after === end || keys.charCodeAt(after) === SPACE) return "whole";
    found = "prefix";
  }
  return found;
}

function bestDirectMatch(keys: string, q: string, qCompact: string): Found | undefined {
  let best: Found | undefined;
  eachKey(keys, (start, end, k) => {
    const length = end - start;
    const word = wordMatch(keys, start, end, q);
    let tier: keyof typeof TIER_BASE | undefined;
    if (length === q.length && keys.startsWith(q, start)) tier = "exact";
    else if (keys.startsWith(q, start)) tier = "prefix";
    else if (word === "whole") tier = "word";
    else if (word === "prefix") tier = "word-prefix";
    else if (compactPrefix(keys, start, end, qCompact)) tier = "compact";
    if (!tier) return;
    // Closer lengths rank first ("Borg Kingdom" before "Borg Cooperative" for "borg k"), names before aliases.
    const score = TIER_BASE[tier] + 0.04 * (q.length / length) + (k === 0 ? 0.005 : 0);
    if (!best || score > best.score) best = { score, tier, k, wholeWord: word === "whole" };
  });
  return best;
}

/**
 * The query with its spaces dropped or moved ("deepspace9", "jem hadar", "kazonogla") covers whole words of the
 * key keys[start, end), plus at least two letters of the next word: "romulans" must not read as "Romulan S(tar
 * Empire)".
 */
function compactPrefix(keys: string, start: number, end: number, qCompact: string): boolean {
  let covered = 0;
  for (let word = start; ; ) {
    let wordEnd = keys.indexOf(" ", word);
    if (wordEnd === -1 || wordEnd > end) wordEnd = end;
    const rest = qCompact.length - covered;
    if (rest === 0) return true;
    const length = wordEnd - word;
    if (rest <= length && sameRun(keys, word, qCompact, covered, rest)) return rest >= 2 || covered === 0;
    if (rest < length || !sameRun(keys, word, qCompact, covered, length)) return false;
    covered += length;
    if (wordEnd === end) return covered === qCompact.length;
    word = wordEnd + 1;
  }
}

/** text[at, at + length) equals other[from, from + length). */
function sameRun(text: string, at: number, other: string, from: number, length: number): boolean {
  for (let i = 0; i < length; i += 1) if (text.charCodeAt(at + i) !== other.charCodeAt(from + i)) return false;
  return true;
}
