import Fuse from "fuse.js";
import { headerOf, isVisibleIn, type LoreEntry, type LoreHeader, type LoreKind } from "./model.js";
import { compact, normalize, trigrams } from "./normalize.js";

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

interface Key {
  original: string;
  text: string;
  isName: boolean;
}

interface Slot {
  header: LoreHeader;
  keys: Key[];
  /** False once removed or replaced; kept until compaction because sorted suffix refs still point into its keys. */
  alive: boolean;
}

/**
 * Postings hold slot numbers; a removed or replaced entry leaves a dead slot that searches skip until compaction.
 * Lists are packed into Int32Arrays once a search needs them (half the memory of growable arrays), and unpacked
 * again only for the few lists an added entry touches.
 */
type Postings = Map<string, number[] | Int32Array>;

/** How many trigram candidates fuse.js ranks. */
const FUZZY_CANDIDATES = 60;
/** Candidates with fewer shared trigrams than this share of the query's are not worth ranking. */
const MIN_OVERLAP = 0.34;
const FUSE_THRESHOLD = 0.45;
/** Misspellings are looked for only when names and prefixes found fewer entries than this. */
const FUZZY_WHEN_FEWER = 8;

/**
 * An in-memory index over the searchable part of every lore entry of every scope (headers: names, aliases, kind,
 * standing, a short summary; bodies stay in the database), updated entry by entry as lore changes.
 *
 * - exact names and aliases: a hash map;
 * - prefixes and word prefixes as typed: binary search in a sorted list of word-start suffixes;
 * - misspellings: a trigram index picks a few dozen candidates, and fuse.js ranks only those.
 */
export class LoreIndex {
  private slots: Slot[] = [];
  private readonly slotById = new Map<string, number>();
  /** scope → slug → slot: no concatenated key strings for 100,000 entries. */
  private readonly slotBySlug = new Map<string, Map<string, number>>();
  private readonly exact: Postings = new Map();
  private readonly grams: Postings = new Map();
  private readonly words: Postings = new Map();
  private readonly byKind = new Map<LoreKind, Set<number>>();
  /**
   * Word-start suffixes of every key, sorted, as refs (slot, key, offset) rather than strings: prefix search is a
   * binary search in here. New refs wait in `pending` until a search needs them.
   */
  private sorted: Float64Array = new Float64Array(0);
  private pending: number[] = [];
  private dead = 0;
  private counts: Int32Array = new Int32Array(1024);
  private readonly listCache = new Map<string, LoreHeader[]>();

  get size(): number {
    return this.slotById.size;
  }

  /** Changes with every upsert and removal: caches of search results key on it. */
  version = 0;

  upsert(entry: LoreEntry | LoreHeader): void {
    const header = "body" in entry ? headerOf(entry) : entry;
    this.remove(header.id);
    this.version += 1;
    const keys = keysOf(header);
    // Removal leaves tombstones, so a slot keeps only what searches read: its header and keys.
    const slot: Slot = { header, keys, alive: true };
    const n = this.slots.length;
    this.slots.push(slot);
    if (n >= this.counts.length) this.counts = growCounts(this.counts, n + 1);
    this.slotById.set(header.id, n);
    let scoped = this.slotBySlug.get(header.scope);
    if (!scoped) {
      scoped = new Map();
      this.slotBySlug.set(header.scope, scoped);
    }
    scoped.set(header.slug, n);
    for (const key of keys) push(this.exact, key.text, n);
    for (const gram of new Set(keys.flatMap((key) => trigrams(key.text)))) push(this.grams, gram, n);
    for (const word of summaryWords("body" in entry ? entry.summary : header.summary, header.tags))
      push(this.words, word, n);
    let kindSet = this.byKind.get(header.kind);
    if (!kindSet) {
      kindSet = new Set();
      this.byKind.set(header.kind, kindSet);
    }
    kindSet.add(n);
    keys.forEach((key, k) => {
      for (const offset of wordStarts(key.text)) this.pending.push(ref(n, k, offset));
    });
    this.listCache.clear();
  }

  remove(id: string): void {
    const n = this.slotById.get(id);
    if (n === undefined) return;
    this.version += 1;
    const slot = this.slots[n];
    this.slotById.delete(id);
    if (slot) {
      this.slotBySlug.get(slot.header.scope)?.delete(slot.header.slug);
      this.byKind.get(slot.header.kind)?.delete(n);
    }
    if (slot) slot.alive = false;
    this.dead += 1;
    this.listCache.clear();
    // Tombstones cost a little on every search; past a quarter of the index, rebuild the postings compactly.
    if (this.dead > 1000 && this.dead > this.slots.length / 4) this.compact();
  }

  get(id: string): LoreHeader | undefined {
    const n = this.slotById.get(id);
    const slot = n === undefined ? undefined : this.slots[n];
    return slot?.alive ? slot.header : undefined;
  }

  getBySlug(scope: string, slug: string): LoreHeader | undefined {
    const n = this.slotBySlug.get(scope)?.get(slug);
    const slot = n === undefined ? undefined : this.slots[n];
    return slot?.alive ? slot.header : undefined;
  }

  /** Every entry visible in a server, optionally of some kinds, in name order. */
  list(guildId: string | null, kinds?: readonly LoreKind[]): LoreHeader[] {
    const cacheKey = `${guildId ?? ""}|${kinds?.join(",") ?? "*"}`;
    const cached = this.listCache.get(cacheKey);
    if (cached) return cached;
    const out: LoreHeader[] = [];
    const slots = kinds ? kinds.flatMap((kind) => [...(this.byKind.get(kind) ?? [])]) : this.slots.keys();
    for (const n of slots) {
      const slot = this.slots[n];
      if (slot?.alive && isVisibleIn(slot.header, guildId)) out.push(slot.header);
    }
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (this.listCache.size > 256) this.listCache.clear();
    this.listCache.set(cacheKey, out);
    return out;
  }

  search(query: string, options: SearchOptions): SearchHit[] {
    const limit = options.limit ?? 25;
    const q = normalize(query).slice(0, 100);
    if (q === "") return [];
    const qCompact = compact(q);
    const visible = (n: number): Slot | undefined => {
      const slot = this.slots[n];
      if (!slot?.alive || !isVisibleIn(slot.header, options.guildId)) return undefined;
      return !options.kinds || options.kinds.includes(slot.header.kind) ? slot : undefined;
    };
    const hits = new Map<number, SearchHit>();
    const consider = (n: number) => {
      if (hits.has(n)) return;
      const slot = visible(n);
      if (!slot) return;
      const hit = bestDirectMatch(slot, q, qCompact);
      if (hit) hits.set(n, hit);
    };

    for (const n of this.exact.get(q) ?? []) consider(n);
    // Prefix and word-prefix matches, in key order, until there are enough strong ones.
    this.mergePending();
    const enough = Math.max(limit * 4, 100);
    const start = this.lowerBound(q);
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
    visible: (n: number) => Slot | undefined,
    known: Map<number, SearchHit>,
  ): { n: number; hit: SearchHit }[] {
    const queryGrams = trigrams(q);
    const counts = this.counts;
    const touched: number[] = [];
    // Trigrams shared by a large part of the index ("ion", " st") say little and cost most: count the rarest ones,
    // keeping at least four so that short queries still find their candidates.
    const lists = queryGrams
      .map((gram) => this.grams.get(gram))
      .filter((list): list is number[] | Int32Array => list !== undefined)
      .sort((a, b) => a.length - b.length);
    const common = Math.max(2000, this.slots.length * 0.04);
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
    const ranked: { n: number }[] = [];
    for (let c = used.length; c >= floor && ranked.length < FUZZY_CANDIDATES * 4; c -= 1)
      for (const n of buckets[c] ?? []) ranked.push({ n });
    const out: { n: number; hit: SearchHit }[] = [];
    const candidates: { n: number; slot: Slot }[] = [];
    for (const { n } of ranked) {
      if (candidates.length >= FUZZY_CANDIDATES) break;
      const slot = visible(n);
      if (!slot) continue;
      const direct = bestDirectMatch(slot, q, qCompact);
      if (direct) out.push({ n, hit: direct });
      else candidates.push({ n, slot });
    }
    if (candidates.length === 0) return out;
    const docs = candidates.flatMap(({ n, slot }) => slot.keys.map((key) => ({ n, slot, key })));
    const fuse = new Fuse(docs, {
      keys: ["key.text"],
      includeScore: true,
      ignoreLocation: true,
      threshold: FUSE_THRESHOLD,
      minMatchCharLength: 2,
    });
    const best = new Map<number, SearchHit>();
    for (const result of fuse.search(q)) {
      const { n, slot, key } = result.item;
      // Fuse compares the query with the whole key; a short query inside a long key scores well by design of
      // ignoreLocation, so weigh by how much of the key the query covers.
      const coverage = Math.min(1, q.length / key.text.length);
      const score = 0.7 * (1 - (result.score ?? 1)) * (0.75 + 0.25 * coverage) + (key.isName ? 0.001 : 0);
      const previous = best.get(n);
      if (!previous || score > previous.score)
        best.set(n, {
          entry: slot.header,
          score,
          tier: "fuzzy",
          matched: key.original,
          viaName: key.isName,
          wholeWord: false,
        });
    }
    for (const [n, hit] of best) out.push({ n, hit });
    return out;
  }

  private textHits(q: string, visible: (n: number) => Slot | undefined): Map<number, SearchHit> {
    const words = q.split(" ").filter((word) => word.length >= 3);
    const counts = new Map<number, number>();
    for (const word of words) for (const n of this.words.get(word) ?? []) counts.set(n, (counts.get(n) ?? 0) + 1);
    const out = new Map<number, SearchHit>();
    for (const [n, count] of counts) {
      const slot = visible(n);
      if (!slot) continue;
      out.set(n, {
        entry: slot.header,
        score: 0.3 * (count / words.length),
        tier: "text",
        matched: slot.header.name,
        viaName: true,
        wholeWord: false,
      });
    }
    return out;
  }

  private mergePending(): void {
    if (this.pending.length === 0) return;
    if (this.pending.length > 1000) {
      pack(this.grams);
      pack(this.words);
    }
    // Sorting by transient strings is fast; only the refs are kept.
    const fresh = this.pending
      .map((r) => ({ r, text: this.suffix(r) }))
      .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
    const merged = new Float64Array(this.sorted.length + fresh.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < this.sorted.length && j < fresh.length) {
      const next = fresh[j] as { r: number; text: string };
      if (this.compareSuffix(this.sorted[i] as number, next.text, false) <= 0) merged[k++] = this.sorted[i++] as number;
      else {
        merged[k++] = next.r;
        j += 1;
      }
    }
    while (i < this.sorted.length) merged[k++] = this.sorted[i++] as number;
    while (j < fresh.length) merged[k++] = (fresh[j++] as { r: number }).r;
    this.sorted = merged;
    this.pending = [];
  }

  private suffix(r: number): string {
    const key = this.slots[slotOf(r)]?.keys[keyOf(r)];
    return key ? key.text.slice(offsetOf(r)) : "";
  }

  /** Compares a ref's suffix with a string by code unit; with `asPrefix`, a suffix that starts with it is equal. */
  private compareSuffix(r: number, other: string, asPrefix: boolean): number {
    const text = this.slots[slotOf(r)]?.keys[keyOf(r)]?.text ?? "";
    const offset = offsetOf(r);
    const length = text.length - offset;
    for (let i = 0; i < other.length; i += 1) {
      if (i >= length) return -1;
      const diff = text.charCodeAt(offset + i) - other.charCodeAt(i);
      if (diff !== 0) return diff;
    }
    return asPrefix || length === other.length ? 0 : 1;
  }

  private lowerBound(q: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareSuffix(this.sorted[mid] as number, q, false) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Rebuilds every posting without dead slots (slot numbers change; ids and slugs map anew). */
  private compact(): void {
    const live = this.slots.filter((slot) => slot.alive).map((slot) => slot.header);
    this.slots = [];
    this.slotById.clear();
    this.slotBySlug.clear();
    this.exact.clear();
    this.grams.clear();
    this.words.clear();
    this.byKind.clear();
    this.sorted = new Float64Array(0);
    this.pending = [];
    this.dead = 0;
    for (const header of live) this.upsert(header);
  }
}

function summaryWords(summary: string, tags: readonly string[]): string[] {
  return [...new Set(normalize(`${summary} ${tags.join(" ")}`).split(" "))].filter((word) => word.length >= 3);
}

function keysOf(header: LoreHeader): Key[] {
  const seen = new Set<string>();
  const keys: Key[] = [];
  for (const [original, isName] of [[header.name, true] as const, ...header.aliases.map((a) => [a, false] as const)]) {
    const text = normalize(original);
    if (text === "" || seen.has(text)) continue;
    seen.add(text);
    keys.push({ original, text, isName });
  }
  return keys;
}

/** Where each word of a key starts: "borg collective" → [0, 5]. */
function wordStarts(text: string): number[] {
  const starts = [0];
  for (let i = 1; i < text.length; i += 1) if (text.charCodeAt(i - 1) === 32) starts.push(i);
  return starts;
}

// A ref packs (slot, key, offset) into one number: offsets stay below 128 (keys are at most 100 characters) and
// keys below 64 per entry.
const ref = (slot: number, key: number, offset: number) => slot * 8192 + key * 128 + offset;
const slotOf = (r: number) => Math.floor(r / 8192);
const keyOf = (r: number) => Math.floor(r / 128) % 64;
const offsetOf = (r: number) => r % 128;

const TIER_BASE: Record<Exclude<MatchTier, "fuzzy" | "text">, number> = {
  exact: 1,
  prefix: 0.9,
  word: 0.85,
  "word-prefix": 0.8,
  compact: 0.76,
};

/** Where the query starts a word of the key: whole word, word prefix, or not at all (no string allocation). */
function wordMatch(text: string, q: string): "whole" | "prefix" | null {
  let found: "prefix" | null = null;
  for (let i = text.indexOf(q); i !== -1; i = text.indexOf(q, i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) !== 32) continue;
    const end = i + q.length;
    if (end === text.length || text.charCodeAt(end) === 32) return "whole";
    found = "prefix";
  }
  return found;
}

function bestDirectMatch(slot: Slot, q: string, qCompact: string): SearchHit | undefined {
  let best: SearchHit | undefined;
  for (const key of slot.keys) {
    const word = wordMatch(key.text, q);
    let tier: keyof typeof TIER_BASE | undefined;
    if (key.text === q) tier = "exact";
    else if (key.text.startsWith(q)) tier = "prefix";
    else if (word === "whole") tier = "word";
    else if (word === "prefix") tier = "word-prefix";
    else if (compactPrefix(key.text, qCompact)) tier = "compact";
    if (!tier) continue;
    // Closer lengths rank first ("Borg Kingdom" before "Borg Cooperative" for "borg k"), names before aliases.
    const score = TIER_BASE[tier] + 0.04 * (q.length / key.text.length) + (key.isName ? 0.005 : 0);
    if (!best || score > best.score)
      best = {
        entry: slot.header,
        score,
        tier,
        matched: key.original,
        viaName: key.isName,
        wholeWord: word === "whole",
      };
  }
  return best;
}

/**
 * The query with its spaces dropped or moved ("deepspace9", "jem hadar", "kazonogla") covers whole words of the
 * key, plus at least two letters of the next word: "romulans" must not read as "Romulan S(tar Empire)".
 */
function compactPrefix(keyText: string, qCompact: string): boolean {
  let covered = "";
  for (const word of keyText.split(" ")) {
    const rest = qCompact.slice(covered.length);
    if (rest === "") return true;
    if (word.startsWith(rest)) return rest.length >= 2 || covered === "";
    if (!rest.startsWith(word)) return false;
    covered += word;
  }
  return qCompact === covered;
}

function compareHits(a: SearchHit, b: SearchHit): number {
  return b.score - a.score || (a.entry.name < b.entry.name ? -1 : a.entry.name > b.entry.name ? 1 : 0);
}

function push(postings: Postings, key: string, n: number): void {
  const list = postings.get(key);
  if (!list) postings.set(key, [n]);
  else if (Array.isArray(list)) list.push(n);
  else {
    const grown = Array.from(list);
    grown.push(n);
    postings.set(key, grown);
  }
}

function pack(postings: Postings): void {
  for (const [key, list] of postings)
    if (Array.isArray(list) && list.length > 4) postings.set(key, Int32Array.from(list));
}

function growCounts(counts: Int32Array, size: number): Int32Array {
  const grown = new Int32Array(Math.max(size, counts.length * 2));
  grown.set(counts);
  return grown;
}
