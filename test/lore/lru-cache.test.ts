import { describe, expect, it } from "vitest";
import { LruCache } from "../../src/lore/lru-cache.js";

describe("LruCache", () => {
  it("drops the least recently used value, and a read counts as a use", () => {
    const cache = new LruCache<string, number>(3);
    cache.set("k", 1);
    cache.set("kl", 2);
    cache.set("kli", 3);
    expect(cache.get("k")).toBe(1);
    cache.set("klin", 4);
    expect(cache.get("kl")).toBeUndefined();
    expect(cache.get("k")).toBe(1);
    expect(cache.get("kli")).toBe(3);
    expect(cache.get("klin")).toBe(4);
    expect(cache.size).toBe(3);
  });

  it("replaces a value under the same key without growing", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("a", 2);
    cache.set("b", 3);
    expect(cache.get("a")).toBe(2);
    expect(cache.size).toBe(2);
    cache.delete("a");
    expect(cache.get("a")).toBeUndefined();
  });
});
