import Fuse from "fuse.js";
import { describe, expect, it } from "vitest";
import { FUSE_OPTIONS, shortestMatchable } from "../../src/lore/search-index.js";

// The misspelling search leaves out keys shorter than shortestMatchable(query length), trusting that fuse.js could
// not match them anyway. These check that trust against fuse.js itself, so an upgrade that scores differently fails
// here rather than quietly dropping answers.
describe("shortestMatchable", () => {
  const letters = "abcdefgh ";
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const text = (length: number) => Array.from({ length }, () => letters[Math.floor(random() * 8)]).join("");
  /** The query with some characters dropped: the closest a shorter key can be to it. */
  const shortened = (query: string, length: number) => {
    const keep = new Set<number>();
    while (keep.size < length) keep.add(Math.floor(random() * query.length));
    return [...query].filter((_, i) => keep.has(i)).join("");
  };

  it("no key shorter than it matches, even the query with characters dropped; keys of that length do", () => {
    let matchedAtBound = 0;
    for (let length = 3; length <= 32; length += 1) {
      const bound = shortestMatchable(length);
      for (let round = 0; round < 20; round += 1) {
        const query = text(length);
        const below = [1, 2, 3].map((cut) => shortened(query, Math.max(1, bound - cut)));
        expect(new Fuse(below, FUSE_OPTIONS).search(query), `${query} vs ${below.join(" | ")}`).toEqual([]);
        if (new Fuse([shortened(query, bound)], FUSE_OPTIONS).search(query).length > 0) matchedAtBound += 1;
      }
    }
    // The bound is tight: at its length, a key made of the query's own characters is a match.
    expect(matchedAtBound).toBeGreaterThan(500);
  });

  it("keeps every key for queries fuse.js matches in pieces", () => {
    expect(shortestMatchable(33)).toBe(0);
    expect(shortestMatchable(100)).toBe(0);
  });
});
