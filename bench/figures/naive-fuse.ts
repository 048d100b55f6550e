import Fuse from "fuse.js";
import type { LoreEntry } from "../../src/lore/model.js";

/**
 * The anchor of the search figure: what a bot without an index would do, fuse.js over every entry with the same
 * keys, built once per corpus.
 */
export function naiveFuse(entries: readonly LoreEntry[]): Fuse<LoreEntry> {
  return new Fuse(entries, {
    keys: ["name", "aliases", "tags", "summary"],
    threshold: 0.4,
    ignoreLocation: true,
    includeScore: true,
  });
}

export function naiveSearch(fuse: Fuse<LoreEntry>, query: string, limit = 25): string[] {
  return fuse.search(query, { limit }).map((result) => result.item.id);
}
