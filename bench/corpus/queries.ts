import { CANON_SCOPE, type LoreEntry } from "../../src/lore/model.js";
import { normalize } from "../../src/lore/normalize.js";
import type { Prng } from "../lib/prng.js";

export const QUERY_CATEGORIES = ["exact", "prefix", "misspelling", "alias"] as const;
export type QueryCategory = (typeof QUERY_CATEGORIES)[number];

export interface Query {
  text: string;
  category: QueryCategory;
  /** The one entry a member typing this means. */
  targetId: string;
  targetName: string;
}

/** Share of the targets drawn from the canon (the rest from the synthetic entries). */
const CANON_SHARE = 0.2;
const MIN_PREFIX = 4;
const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/**
 * Questions with one right answer each: the exact name, the shortest prefix (from 4 letters) that no other entry's
 * name or alias starts with, one typo in a name that leaves no other entry within one edit, and an alias no other
 * entry has. Category by category, so every category has `perCategory` queries.
 */
export function buildQueries(entries: readonly LoreEntry[], rng: Prng, perCategory: number): Query[] {
  const keys = new KeyTable(entries);
  const canon = entries.filter((entry) => entry.scope === CANON_SCOPE);
  const synthetic = entries.filter((entry) => entry.scope !== CANON_SCOPE);
  const out: Query[] = [];
  for (const category of QUERY_CATEGORIES) {
    const used = new Set<string>();
    let made = 0;
    for (let attempt = 0; made < perCategory && attempt < perCategory * 50; attempt += 1) {
      const pool = synthetic.length === 0 || (canon.length > 0 && rng.chance(CANON_SHARE)) ? canon : synthetic;
      const entry = rng.pick(pool);
      if (used.has(entry.id)) continue;
      const text = queryFor(category, entry, keys, rng);
      if (text === undefined) continue;
      used.add(entry.id);
      out.push({ text, category, targetId: entry.id, targetName: entry.name });
      made += 1;
    }
  }
  return out;
}

function queryFor(category: QueryCategory, entry: LoreEntry, keys: KeyTable, rng: Prng): string | undefined {
  const name = normalize(entry.name);
  switch (category) {
    case "exact":
      return keys.owners(name) === 1 ? entry.name : undefined;
    case "alias": {
      const aliases = entry.aliases.filter((alias) => {
        const key = normalize(alias);
        return key !== "" && key !== name && keys.owners(key) === 1;
      });
      return aliases.length > 0 ? rng.pick(aliases) : undefined;
    }
    case "prefix":
      for (let length = MIN_PREFIX; length < name.length; length += 1) {
        const prefix = name.slice(0, length);
        if (!prefix.endsWith(" ") && keys.onlyOwnerOfPrefix(prefix, entry.id)) return prefix;
      }
      return undefined;
    case "misspelling": {
      const typo = misspell(name, rng);
      if (!typo || keys.owners(typo) > 0) return undefined;
      // Another entry one edit away from the typo would make the "right" answer a matter of taste.
      for (const near of editsOf(typo)) if (keys.ownedByOtherThan(near, entry.id)) return undefined;
      return typo;
    }
  }
}

/** One slip of the fingers in the longest word, never on its first letter (members get that one right). */
function misspell(name: string, rng: Prng): string | undefined {
  const words = name.split(" ");
  const longest = words.reduce((best, w, i) => (w.length > (words[best]?.length ?? 0) ? i : best), 0);
  const w = words[longest] ?? "";
  if (w.length < 4) return undefined;
  const at = rng.int(1, w.length - 2);
  const letter = rng.pick([...LETTERS]);
  let typo: string;
  switch (rng.int(0, 3)) {
    case 0:
      typo = w.slice(0, at) + letter + w.slice(at + 1);
      break;
    case 1:
      typo = w.slice(0, at) + (w[at + 1] ?? "") + (w[at] ?? "") + w.slice(at + 2);
      break;
    case 2:
      typo = w.slice(0, at) + w.slice(at + 1);
      break;
    default:
      typo = w.slice(0, at) + letter + w.slice(at);
  }
  if (typo === w) return undefined;
  words[longest] = typo;
  return words.join(" ");
}

/** Every string one insertion, deletion, substitution or transposition away. */
function* editsOf(text: string): Generator<string> {
  for (let i = 0; i <= text.length; i += 1) {
    for (const letter of LETTERS) {
      yield text.slice(0, i) + letter + text.slice(i);
      if (i < text.length) yield text.slice(0, i) + letter + text.slice(i + 1);
    }
    if (i < text.length) yield text.slice(0, i) + text.slice(i + 1);
    if (i + 1 < text.length) yield text.slice(0, i) + (text[i + 1] ?? "") + (text[i] ?? "") + text.slice(i + 2);
  }
}

/** Every normalized name and alias, by the entries that have it, and sorted for prefix look-ups. */
class KeyTable {
  private readonly byKey = new Map<string, Set<string>>();
  private readonly sorted: string[];

  constructor(entries: readonly LoreEntry[]) {
    for (const entry of entries)
      for (const key of [entry.name, ...entry.aliases].map(normalize)) {
        if (key === "") continue;
        const ids = this.byKey.get(key);
        if (ids) ids.add(entry.id);
        else this.byKey.set(key, new Set([entry.id]));
      }
    this.sorted = [...this.byKey.keys()].sort();
  }

  owners(key: string): number {
    return this.byKey.get(key)?.size ?? 0;
  }

  ownedByOtherThan(key: string, id: string): boolean {
    const ids = this.byKey.get(key);
    return ids !== undefined && [...ids].some((owner) => owner !== id);
  }

  /** No key of another entry starts with `prefix`. */
  onlyOwnerOfPrefix(prefix: string, id: string): boolean {
    for (let i = this.lowerBound(prefix); i < this.sorted.length; i += 1) {
      const key = this.sorted[i] as string;
      if (!key.startsWith(prefix)) break;
      if (this.ownedByOtherThan(key, id)) return false;
    }
    return true;
  }

  private lowerBound(prefix: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.sorted[mid] as string) < prefix) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
