import { describe, expect, it } from "vitest";
import { WordIds } from "../../src/lore/word-ids.js";

describe("WordIds", () => {
  it("gives each of 100,000 words its own number, the same every time, and none to a word never added", () => {
    const ids = new WordIds();
    const words = Array.from({ length: 100_000 }, (_, i) => `w${i.toString(36)}`);
    const numbers = words.map((word) => ids.add(word));
    expect(new Set(numbers).size).toBe(words.length);
    expect(ids.size).toBe(words.length);
    for (let i = 0; i < words.length; i += 997) {
      expect(ids.add(words[i] as string)).toBe(numbers[i]);
      expect(ids.find(words[i] as string)).toBe(numbers[i]);
    }
    expect(ids.find("never-added")).toBeUndefined();
    expect(ids.find("")).toBeUndefined();
  });
});
