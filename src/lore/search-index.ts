import Fuse from "fuse.js";
import { headerOf, isVisibleIn, type LoreEntry, type LoreHeader, type LoreKind } from "./model.js";
import { compact, normalize, normalizedWords } from "./normalize.js";
import { Postings } from "./postings.js";
import { hashOf, SlotTable } from "./slot-table.js";

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
/** Separates the keys of one slot in its keys string (normalized keys hold only a-z, 0-9 and single spaces). */
const KEY_END = 10;
const SPACE = 32;

/**
 * An in-memory index over the searchable part of every lore entry of every scope (headers: names, aliases, kind,
 * standing, a short summary; bodies stay in the database), updated entry by entry as lore changes.
 *
 * - exact names and aliases, prefixes and word prefixes as typed: binary search in a sorted list of word-start
 *   suffixes of every key;
 * - misspellings: a trigram index picks a few dozen candidates, and fuse.js ranks only those.
 *
 * Memory is what bounds it (the goal is 100,000 entries in a small process), so every entry costs one
 * header and one string of keys, and the postings live in packed typed arrays rather than per-key JS arrays:
 * see `Postings` and the refs below.
 */
export class LoreIndex {
  /** Slot n's header; undefined once the entry is removed or replaced (the slot stays until compaction). */
  private headers: (LoreHeader | undefined)[] = [];
  /**
   * Slot n's normalized name and aliases in one string, in the header's order, each ended by "\n" but the last: key
   * i is the name for i = 0 and alias i - 1 after it. An alias that normalizes to nothing or repeats an earlier key
   * leaves an empty key. Kept after removal until compaction, because sorted suffix refs still point into it.
   */
  private keys: string[] = [];
  /** Live slots by id, and by scope and slug (both read the keys from the headers: no strings of their own). */
  private readonly slotById = new SlotTable((n) => hashOf((this.headers[n] as LoreHeader).id));
  private readonly slotBySlug = new SlotTable((n) => {
    const header = this.headers[n] as LoreHeader;
    return hashOf(header.scope, header.slug);
  });
  /** Trigram code (see `eachGram`) → slots whose keys have it. */
  private readonly grams = new Postings();
  /** Word number (`wordIds`) → slots whose summary or tags have the word. */
  private readonly words = new Postings();
  private readonly wordIds = new Map<string, number>();
  /**
   * Word-start suffixes of every key, sorted, as refs (slot, offset into the slot's keys string) rather than
   * strings: exact and prefix search is a binary search in here.
   */
  private sorted: Float64Array = new Float64Array(0);
  /**
   * Slots below this are in `sorted` and `grams`. Both are derived from the keys, so an upsert only stores the keys
   * and the next search (or `settle`) brings them up to date in one go: nothing is held for them in between.
   */
  private built = 0;
  private dead = 0;
  /** Shared trigrams per slot during a misspelling search; sized at the first one. */
  private counts: Int32Array = new Int32Array(0);
  /** The last pass that saw each trigram, so that a slot lists a trigram once however many keys share it. */
  private readonly gramSeen = new Int32Array(GRAM_CODES);
  private gramPass = 0;
  private readonly listCache = new Map<string, LoreHeader[]>();
  /**
   * One copy of each scope, kind, standing, tag and quadrant string, and of each tag and quadrant list: rows read
   * from the database bring a fresh copy of "faction" or of the server's id with every entry.
   */
  private readonly shared = new Map<string, string>();
  private readonly sharedLists = new Map<string, readonly string[]>();

  get size(): number {
    return this.slotById.size;
  }

  /** Changes with every upsert and removal: caches of search results key on it. */
  version = 0;

  upsert(entry: LoreEntry | LoreHeader): void {
    // A header of our own (the caller's object is not changed), its small strings and lists shared.
    const header = this.shareParts("body" in entry ? headerOf(entry) : { ...entry });
    this.remove(header.id);
    this.version += 1;
    const keys = keysOf(header);
    const n = this.headers.length;
    this.headers.push(header);
    this.keys.push(keys);
    this.slotById.insert(hashOf(header.id), n);
    // The newest entry of a scope and slug is the one found by it (the store keeps them unique anyway).
    const slugHash = hashOf(header.scope, header.slug);
    const sameSlug = this.slotBySlug.find(slugHash, this.hasSlug(header.scope, header.slug));
    if (sameSlug !== undefined) this.slotBySlug.remove(slugHash, sameSlug);
    this.slotBySlug.insert(slugHash, n);
    const wordIds: number[] = [];
    for (const word of summaryWords("body" in entry ? entry.summary : header.summary, header.tags)) {
      if (word.length < 3) continue;
      let id = this.wordIds.get(word);
      if (id === undefined) {
        id = this.wordIds.size;
        this.wordIds.set(word, id);
      }
      if (wordIds.includes(id)) continue;
      wordIds.push(id);
      this.words.add(id, n);
    }
    this.listCache.clear();
  }

  remove(id: string): void {
    const hash = hashOf(id);
    const n = this.slotById.find(hash, this.hasId(id));
    if (n === undefined) return;
    this.version += 1;
    const header = this.headers[n] as LoreHeader;
    this.slotById.remove(hash, n);
    this.slotBySlug.remove(hashOf(header.scope, header.slug), n);
    this.headers[n] = undefined;
    this.dead += 1;
    this.listCache.clear();
    // Tombstones cost a little on every search; past a quarter of the index, rebuild the postings compactly.
    if (this.dead > 1000 && this.dead > this.headers.length / 4) this.compact();
  }

  get(id: string): LoreHeader | undefined {
    const n = this.slotById.find(hashOf(id), this.hasId(id));
    return n === undefined ? undefined : this.headers[n];
  }

  getBySlug(scope: string, slug: string): LoreHeader | undefined {
    const n = this.slotBySlug.find(hashOf(scope, slug), this.hasSlug(scope, slug));
    return n === undefined ? undefined : this.headers[n];
  }

  private hasId(id: string): (n: number) => boolean {
    return (n) => this.headers[n]?.id === id;
  }

  private hasSlug(scope: string, slug: string): (n: number) => boolean {
    return (n) => {
      const header = this.headers[n];
      return header?.slug === slug && header.scope === scope;
    };
  }

  /** Every entry visible in a server, optionally of some kinds, in name order. */
  list(guildId: string | null, kinds?: readonly LoreKind[]): LoreHeader[] {
    const cacheKey = `${guildId ?? ""}|${kinds?.join(",") ?? "*"}`;
    const cached = this.listCache.get(cacheKey);
    if (cached) return cached;
    let out: LoreHeader[] = [];
    if (!kinds) {
      for (const header of this.headers) if (header && isVisibleIn(header, guildId)) out.push(header);
    } else {
      // Kind by kind in the order asked, as the sort below keeps that order between equal names.
      const byKind = new Map<LoreKind, LoreHeader[]>(kinds.map((kind) => [kind, []]));
      for (const header of this.headers)
        if (header && isVisibleIn(header, guildId)) byKind.get(header.kind)?.push(header);
      out = kinds.flatMap((kind) => byKind.get(kind) ?? []);
    }
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (this.listCache.size > 256) this.listCache.clear();
    this.listCache.set(cacheKey, out);
    return out;
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
    const visible = (n: number): LoreHeader | undefined => {
      const header = this.headers[n];
      if (!header || !isVisibleIn(header, options.guildId)) return undefined;
      return !options.kinds || options.kinds.includes(header.kind) ? header : undefined;
    };
    const hits = new Map<number, SearchHit>();
    const consider = (n: number) => {
      if (hits.has(n)) return;
      const header = visible(n);
      if (!header) return;
      const hit = bestDirectMatch(header, this.keys[n] as string, q, qCompact);
      if (hit) hits.set(n, hit);
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
    if (!named && hits.size < Math.min(limit, FUZZY_WHEN_FEWER) && q.length >= 3) {
      for (const hit of this.fuzzy(q, qCompact, visible, hits)) hits.set(hit.n, hit.hit);
    }
    if (options.fullText) for (const [n, hit] of this.textHits(q, visible)) if (!hits.has(n)) hits.set(n, hit);
    return [...hits.values()].sort(compareHits).slice(0, limit);
  }

  /** Candidates sharing the most trigrams with the query; direct matches among them, fuse.js for the rest. */
  private fuzzy(
    q: string,
    qCompact: string,
    visible: (n: number) => LoreHeader | undefined,
    known: Map<number, SearchHit>,
  ): { n: number; hit: SearchHit }[] {
    const queryGrams: number[] = [];
    eachGram(q, (code) => {
      if (!queryGrams.includes(code)) queryGrams.push(code);
    });
    if (this.counts.length < this.headers.length) this.counts = new Int32Array(Math.ceil(this.headers.length * 1.25));
    const counts = this.counts;
    const touched: number[] = [];
    // Trigrams shared by a large part of the index ("ion", " st") say little and cost most: count the rarest ones,
    // keeping at least four so that short queries still find their candidates.
    const lists = queryGrams
      .map((code) => this.grams.get(code))
      .filter((list) => list.length > 0)
      .sort((a, b) => a.length - b.length);
    const common = Math.max(2000, this.headers.length * 0.04);
    const used = lists.filter((list, i) => i < 4 || list.length <= common);
    for (const list of used) {
      for (const n of list) {
        if (counts[n] === 0) touched.push(n);
        counts[n] = (counts[n] as number) + 1;
      }
    }
    const floor = Math.max(1, Math.ceil(used.length * MIN_OVERLAP));
    // Bucket by shared-trigram count (at most the query's trigram count): no sort of thousands of candidates.
    const buckets: number[][] = Array.from({ length: used.length + 1 }, () => []);
    for (const n of touched) {
      const count = counts[n] as number;
      counts[n] = 0;
      if (count >= floor && !known.has(n)) buckets[Math.min(count, used.length)]?.push(n);
    }
    const ranked: number[] = [];
    for (let c = used.length; c >= floor && ranked.length < FUZZY_CANDIDATES * 4; c -= 1)
      for (const n of buckets[c] ?? []) ranked.push(n);
    const out: { n: number; hit: SearchHit }[] = [];
    const docs: { n: number; header: LoreHeader; text: string; original: string; isName: boolean }[] = [];
    let candidates = 0;
    for (const n of ranked) {
      if (candidates >= FUZZY_CANDIDATES) break;
      const header = visible(n);
      if (!header) continue;
      const keys = this.keys[n] as string;
      const direct = bestDirectMatch(header, keys, q, qCompact);
      if (direct) {
        out.push({ n, hit: direct });
        continue;
      }
      candidates += 1;
      eachKey(keys, (start, end, k) => {
        docs.push({ n, header, text: keys.slice(start, end), original: originalKey(header, k), isName: k === 0 });
      });
    }
    if (candidates === 0) return out;
    const fuse = new Fuse(docs, {
      keys: ["text"],
      includeScore: true,
      ignoreLocation: true,
      threshold: FUSE_THRESHOLD,
      minMatchCharLength: 2,
    });
    const best = new Map<number, SearchHit>();
    for (const result of fuse.search(q)) {
      const { n, header, text, original, isName } = result.item;
      // Fuse compares the query with the whole key; a short query inside a long key scores well by design of
      // ignoreLocation, so weigh by how much of the key the query covers.
      const coverage = Math.min(1, q.length / text.length);
      const score = 0.7 * (1 - (result.score ?? 1)) * (0.75 + 0.25 * coverage) + (isName ? 0.001 : 0);
      const previous = best.get(n);
      if (!previous || score > previous.score)
        best.set(n, { entry: header, score, tier: "fuzzy", matched: original, viaName: isName, wholeWord: false });
    }
    for (const [n, hit] of best) out.push({ n, hit });
    return out;
  }

  private textHits(q: string, visible: (n: number) => LoreHeader | undefined): Map<number, SearchHit> {
    const words = q.split(" ").filter((word) => word.length >= 3);
    const counts = new Map<number, number>();
    for (const word of words) {
      const id = this.wordIds.get(word);
      if (id === undefined) continue;
      for (const n of this.words.get(id)) counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    const out = new Map<number, SearchHit>();
    for (const [n, count] of counts) {
      const header = visible(n);
      if (!header) continue;
      out.set(n, {
        entry: header,
        score: 0.3 * (count / words.length),
        tier: "text",
        matched: header.name,
        viaName: true,
        wholeWord: false,
      });
    }
    return out;
  }

  /**
   * Points a header's small strings and lists at copies shared with every other header that has the same: 100,000
   * headers then hold one "faction" and one copy of their server's id between them.
   */
  private shareParts(header: LoreHeader): LoreHeader {
    header.scope = this.share(header.scope);
    header.kind = this.share(header.kind);
    header.tags = this.shareList(header.tags);
    header.quadrants = this.shareList(header.quadrants);
    if (header.standing !== null) header.standing = this.share(header.standing);
    return header;
  }

  private share<T extends string>(text: T): T {
    const known = this.shared.get(text);
    if (known !== undefined) return known as T;
    this.shared.set(text, text);
    return text;
  }

  private shareList<T extends string>(list: readonly T[]): T[] {
    const key = list.join("\n");
    const known = this.sharedLists.get(key);
    if (known !== undefined) return known as T[];
    // Frozen: a shared list written through one header would change them all.
    const own = Object.freeze(list.map((item) => this.share(item)));
    this.sharedLists.set(key, own);
    return own as T[];
  }

  /** Puts the slots upserted since the last search into the sorted suffixes and the trigram postings. */
  private catchUp(): void {
    const from = this.built;
    const to = this.headers.length;
    if (from === to) return;
    this.built = to;
    // A few slots (an edit, a new server faction) wait in the postings' tail; a load is packed in at once.
    if (to - from <= FEW_SLOTS)
      for (let n = from; n < to; n += 1) this.eachGramOnce(n, (code) => this.grams.add(code, n));
    else this.grams.append(from, to, GRAM_CODES, (n, visit) => this.eachGramOnce(n, visit));
    const fresh: number[] = [];
    for (let n = from; n < to; n += 1) {
      const keys = this.keys[n] as string;
      eachKey(keys, (start, end) => {
        fresh.push(ref(n, start));
        for (let i = start + 1; i < end; i += 1) if (keys.charCodeAt(i - 1) === SPACE) fresh.push(ref(n, i));
      });
    }
    fresh.sort((a, b) => this.compareRefs(a, b));
    const merged = new Float64Array(this.sorted.length + fresh.length);
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

  /** The distinct trigrams of slot n's keys. */
  private eachGramOnce(n: number, visit: (code: number) => void): void {
    if (this.gramPass === 0x7fffffff) {
      this.gramSeen.fill(0);
      this.gramPass = 0;
    }
    const pass = ++this.gramPass;
    eachGram(this.keys[n] as string, (code) => {
      if (this.gramSeen[code] === pass) return;
      this.gramSeen[code] = pass;
      visit(code);
    });
  }

  private isKeyStart(r: number): boolean {
    const offset = offsetOf(r);
    return offset === 0 || (this.keys[slotOf(r)] as string).charCodeAt(offset - 1) === KEY_END;
  }

  /** Orders two refs by their suffixes (to the end of their key), code unit by code unit, then by slot and offset. */
  private compareRefs(a: number, b: number): number {
    const textA = this.keys[slotOf(a)] as string;
    const textB = this.keys[slotOf(b)] as string;
    let i = offsetOf(a);
    let j = offsetOf(b);
    for (; ; i += 1, j += 1) {
      const ca = i < textA.length ? textA.charCodeAt(i) : KEY_END;
      const cb = j < textB.length ? textB.charCodeAt(j) : KEY_END;
      if (ca !== cb) return ca === KEY_END ? -1 : cb === KEY_END ? 1 : ca - cb;
      if (ca === KEY_END) break;
    }
    return a - b;
  }

  /** Compares a ref's suffix with a string by code unit; with `asPrefix`, a suffix that starts with it is equal. */
  private compareSuffix(r: number, other: string, asPrefix: boolean): number {
    const text = this.keys[slotOf(r)] as string;
    const offset = offsetOf(r);
    for (let i = 0; i < other.length; i += 1) {
      const c = offset + i < text.length ? text.charCodeAt(offset + i) : KEY_END;
      if (c === KEY_END) return -1;
      const diff = c - other.charCodeAt(i);
      if (diff !== 0) return diff;
    }
    const next = offset + other.length;
    return asPrefix || next === text.length || text.charCodeAt(next) === KEY_END ? 0 : 1;
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

  /** Rebuilds every posting without dead slots (slot numbers change; ids and slugs map anew). */
  private compact(): void {
    const live = this.headers.filter((header) => header !== undefined);
    this.headers = [];
    this.keys = [];
    this.slotById.clear();
    this.slotBySlug.clear();
    this.grams.clear();
    this.words.clear();
    this.wordIds.clear();
    this.sorted = new Float64Array(0);
    this.built = 0;
    this.dead = 0;
    for (const header of live) this.upsert(header);
  }
}

/** The words of a summary and its tags, normalized, repeats and all. */
function summaryWords(summary: string, tags: readonly string[]): string[] {
  return normalizedWords(tags.length === 0 ? summary : `${summary} ${tags.join(" ")}`);
}

/**
 * The keys string of a header: its name and aliases normalized, "\n" after each but the last, an empty key where one
 * normalizes to nothing or repeats an earlier one. Refs keep offsets below 8192: keys past that are not indexed (the
 * lore files allow 30 aliases of 100 characters, a third of it).
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

/** Visits each non-empty key of a keys string: where it starts and ends, and its number (0 is the name). */
function eachKey(keys: string, visit: (start: number, end: number, k: number) => void): void {
  let k = 0;
  for (let start = 0; start <= keys.length; k += 1) {
    let end = keys.indexOf("\n", start);
    if (end === -1) end = keys.length;
    if (end > start) visit(start, end, k);
    start = end + 1;
  }
}

function originalKey(header: LoreHeader, k: number): string {
  return k === 0 ? header.name : (header.aliases[k - 1] as string);
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

// A ref packs (slot, offset into the slot's keys string) into one number, below 2³¹ (a small integer for V8) up to
// 262,144 slots.
const MAX_OFFSET = 8192;
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

function bestDirectMatch(header: LoreHeader, keys: string, q: string, qCompact: string): SearchHit | undefined {
  let best: SearchHit | undefined;
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
    if (!best || score > best.score)
      best = {
        entry: header,
        score,
        tier,
        matched: originalKey(header, k),
        viaName: k === 0,
        wholeWord: word === "whole",
      };
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

function compareHits(a: SearchHit, b: SearchHit): number {
  return b.score - a.score || (a.entry.name < b.entry.name ? -1 : a.entry.name > b.entry.name ? 1 : 0);
}
