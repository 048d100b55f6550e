import { describe, expect, it } from "vitest";
import { hashOf, SlotTable } from "../../src/lore/slot-table.js";

describe("SlotTable", () => {
  it("finds what a Map would, through growth, removals and reinsertions", () => {
    const keys: string[] = [];
    const table = new SlotTable((slot) => hashOf(keys[slot] as string));
    const reference = new Map<string, number>();
    const put = (key: string) => {
      const old = reference.get(key);
      if (old !== undefined) table.remove(hashOf(key), old);
      keys.push(key);
      table.insert(hashOf(key), keys.length - 1);
      reference.set(key, keys.length - 1);
    };
    const find = (key: string) => table.find(hashOf(key), (slot) => keys[slot] === key);
    for (let i = 0; i < 5000; i += 1) put(`entry-${i}`);
    for (let i = 0; i < 5000; i += 3) {
      const key = `entry-${i}`;
      table.remove(hashOf(key), reference.get(key) as number);
      reference.delete(key);
    }
    for (let i = 0; i < 5000; i += 7) put(`entry-${i}`);
    expect(table.size).toBe(reference.size);
    for (let i = 0; i < 5200; i += 1) expect(find(`entry-${i}`), `entry-${i}`).toBe(reference.get(`entry-${i}`));
  });

  it("tells a scope and slug apart from the same text split elsewhere", () => {
    expect(hashOf("ab", "c")).not.toBe(hashOf("a", "bc"));
    expect(hashOf("ab", "c")).not.toBe(hashOf("abc"));
  });
});
