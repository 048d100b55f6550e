import Fuse from "fuse.js";
import { isVisibleIn, type LoreEntry, type LoreKind } from "./model.js";
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
  entry: LoreEntry;
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
  compact: string;
  isName: boolean;
}

interface Indexed {
  entry: LoreEntry;
  keys: Key[];
  grams: string[];
  textWords: string[];
}

const MAX_FUZZY_CANDIDATES = 300;
const FUSE_THRESHOLD = 0.45;

/**
 * An in-memory index over every lore entry of every scope, updated entry by entry as lore changes. Candidates
 * come from a trigram index over names and aliases (cheap), and fuse.js ranks only those candidates.
 */
export class LoreIndex {
  private readonly byId = new Map<string, Indexed>();
  private readonly bySlug = new Map<string, string>();
  private readonly gramPostings = new Map<string, Set<string>>();
  private readonly shortPostings = new Map<string, Set<string>>();
  private readonly wordPostings = new Map<string, Set<string>>();

  get size(): number {
    return this.byId.size;
  }

  upsert(entry: LoreEntry): void {
    this.remove(entry.id);
    const keys = keysOf(entry);
    const grams = [...new Set(keys.flatMap((key) => trigrams(key.text)))];
    const shorts = new Set(
      keys.flatMap((key) => key.text.split(" ").flatMap((word) => [word.slice(0, 1), word.slice(0, 2)])),
    );
    const textWords = [...new Set(normalize(`${entry.summary} ${entry.tags.join(" ")}`).split(" "))].filter(
      (word) => word.length >= 3,
    );
    const indexed: Indexed = { entry, keys, grams, textWords };
    this.byId.set(entry.id, indexed);
    this.bySlug.set(slugKey(entry.scope, entry.slug), entry.id);
    for (const gram of grams) addPosting(this.gramPostings, gram, entry.id);
    for (const short of shorts) addPosting(this.shortPostings, short, entry.id);
    for (const word of textWords) addPosting(this.wordPostings, word, entry.id);
  }

  remove(id: string): void {
    const old = this.byId.get(id);
    if (!old) return;
    this.byId.delete(id);
    this.bySlug.delete(slugKey(old.entry.scope, old.entry.slug));
    for (const gram of old.grams) removePosting(this.gramPostings, gram, id);
    for (const key of old.keys)
      for (const word of key.text.split(" ")) {
        removePosting(this.shortPostings, word.slice(0, 1), id);
        removePosting(this.shortPostings, word.slice(0, 2), id);
      }
    for (const word of old.textWords) removePosting(this.wordPostings, word, id);
  }

  get(id: string): LoreEntry | undefined {
    return this.byId.get(id)?.entry;
  }

  getBySlug(scope: string, slug: string): LoreEntry | undefined {
    const id = this.bySlug.get(slugKey(scope, slug));
    return id === undefined ? undefined : this.get(id);
  }

  /** Every entry visible in a server, optionally of some kinds, in name order. */
  list(guildId: string | null, kinds?: readonly LoreKind[]): LoreEntry[] {
    const out: LoreEntry[] = [];
    for (const { entry } of this.byId.values())
      if (isVisibleIn(entry, guildId) && (!kinds || kinds.includes(entry.kind))) out.push(entry);
    return out.sort((a, b) => a.name.localeCompare(b.name, "en"));
  }

  search(query: string, options: SearchOptions): SearchHit[] {
    const limit = options.limit ?? 25;
    const q = normalize(query).slice(0, 100);
    if (q === "") return [];
    const visible = (indexed: Indexed) =>
      isVisibleIn(indexed.entry, options.guildId) && (!options.kinds || options.kinds.includes(indexed.entry.kind));

    const candidates = this.candidates(q).filter(visible);
    const hits = new Map<string, SearchHit>();
    const needFuzzy: Indexed[] = [];
    for (const indexed of candidates) {
      const hit = bestDirectMatch(indexed, q);
      if (hit) hits.set(indexed.entry.id, hit);
      else needFuzzy.push(indexed);
    }
    for (const hit of fuzzyHits(needFuzzy, q)) hits.set(hit.entry.id, hit);
    if (options.fullText) {
      for (const hit of this.textHits(q, visible)) if (!hits.has(hit.entry.id)) hits.set(hit.entry.id, hit);
    }
    return [...hits.values()].sort(compareHits).slice(0, limit);
  }

  /** Entries sharing the most trigrams with the query (short queries: entries with a word starting so). */
  private candidates(q: string): Indexed[] {
    if (q.length < 3) {
      const ids = this.shortPostings.get(q.replace(/ /g, "").slice(0, 2)) ?? new Set<string>();
      return [...ids].map((id) => this.byId.get(id)).filter((x): x is Indexed => x !== undefined);
    }
    const counts = new Map<string, number>();
    for (const gram of trigrams(q)) {
      const ids = this.gramPostings.get(gram);
      if (!ids) continue;
      for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const ranked = [...counts].sort((a, b) => b[1] - a[1]).slice(0, MAX_FUZZY_CANDIDATES);
    return ranked.map(([id]) => this.byId.get(id)).filter((x): x is Indexed => x !== undefined);
  }

  private textHits(q: string, visible: (indexed: Indexed) => boolean): SearchHit[] {
    const words = q.split(" ").filter((word) => word.length >= 3);
    if (words.length === 0) return [];
    const counts = new Map<string, number>();
    for (const word of words)
      for (const id of this.wordPostings.get(word) ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
    const out: SearchHit[] = [];
    for (const [id, count] of counts) {
      const indexed = this.byId.get(id);
      if (!indexed || !visible(indexed)) continue;
      out.push({
        entry: indexed.entry,
        score: 0.3 * (count / words.length),
        tier: "text",
        matched: indexed.entry.name,
        viaName: true,
        wholeWord: false,
      });
    }
    return out;
  }
}

function keysOf(entry: LoreEntry): Key[] {
  const seen = new Set<string>();
  const keys: Key[] = [];
  for (const [original, isName] of [[entry.name, true] as const, ...entry.aliases.map((a) => [a, false] as const)]) {
    const text = normalize(original);
    if (text === "" || seen.has(text)) continue;
    seen.add(text);
    keys.push({ original, text, compact: compact(text), isName });
  }
  return keys;
}

const TIER_BASE: Record<Exclude<MatchTier, "fuzzy" | "text">, number> = {
  exact: 1,
  prefix: 0.9,
  word: 0.85,
  "word-prefix": 0.8,
  compact: 0.76,
};

function bestDirectMatch(indexed: Indexed, q: string): SearchHit | undefined {
  const qCompact = compact(q);
  let best: SearchHit | undefined;
  for (const key of indexed.keys) {
    const padded = ` ${key.text} `;
    const wholeWord = padded.includes(` ${q} `);
    let tier: keyof typeof TIER_BASE | undefined;
    if (key.text === q) tier = "exact";
    else if (key.text.startsWith(q)) tier = "prefix";
    else if (wholeWord) tier = "word";
    else if (padded.includes(` ${q}`)) tier = "word-prefix";
    else if (compactPrefix(key.text, qCompact)) tier = "compact";
    if (!tier) continue;
    // Closer lengths rank first ("Borg Kingdom" before "Borg Cooperative" for "borg k"), names before aliases.
    const score = TIER_BASE[tier] + 0.04 * (q.length / key.text.length) + (key.isName ? 0.005 : 0);
    if (!best || score > best.score)
      best = { entry: indexed.entry, score, tier, matched: key.original, viaName: key.isName, wholeWord };
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

function fuzzyHits(candidates: Indexed[], q: string): SearchHit[] {
  if (candidates.length === 0 || q.length < 3) return [];
  const docs = candidates.flatMap((indexed) => indexed.keys.map((key) => ({ indexed, key })));
  const fuse = new Fuse(docs, {
    keys: ["key.text"],
    includeScore: true,
    ignoreLocation: true,
    threshold: FUSE_THRESHOLD,
    minMatchCharLength: 2,
  });
  const best = new Map<string, SearchHit>();
  for (const result of fuse.search(q)) {
    const { indexed, key } = result.item;
    // Fuse compares the query with the whole key; a short query inside a long key scores well by design of
    // ignoreLocation, so weigh by how much of the key the query covers.
    const coverage = Math.min(1, q.length / key.text.length);
    const score = 0.7 * (1 - (result.score ?? 1)) * (0.75 + 0.25 * coverage) + (key.isName ? 0.001 : 0);
    const previous = best.get(indexed.entry.id);
    if (!previous || score > previous.score)
      best.set(indexed.entry.id, {
        entry: indexed.entry,
        score,
        tier: "fuzzy",
        matched: key.original,
        viaName: key.isName,
        wholeWord: false,
      });
  }
  return [...best.values()];
}

function compareHits(a: SearchHit, b: SearchHit): number {
  return b.score - a.score || a.entry.name.localeCompare(b.entry.name, "en");
}

function slugKey(scope: string, slug: string): string {
  return `${scope}\u0000${slug}`;
}

function addPosting(postings: Map<string, Set<string>>, key: string, id: string): void {
  const ids = postings.get(key);
  if (ids) ids.add(id);
  else postings.set(key, new Set([id]));
}

function removePosting(postings: Map<string, Set<string>>, key: string, id: string): void {
  const ids = postings.get(key);
  if (!ids) return;
  ids.delete(id);
  if (ids.size === 0) postings.delete(key);
}
