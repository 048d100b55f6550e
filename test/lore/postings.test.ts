import { describe, expect, it } from "vitest";
import { Postings } from "../../src/lore/postings.js";

const listOf = (postings: Postings, id: number) => [...postings.get(id)];

describe("Postings", () => {
  it("lists the slots added under an id, in the order added, before and after packing", () => {
    const postings = new Postings();
    postings.add(3, 0);
    postings.add(7, 0);
    postings.add(3, 1);
    postings.add(3, 4);
    expect(listOf(postings, 3)).toEqual([0, 1, 4]);
    expect(listOf(postings, 7)).toEqual([0]);
    expect(listOf(postings, 5)).toEqual([]);
    expect(listOf(postings, 99)).toEqual([]);
    postings.pack();
    expect(postings.tailLength).toBe(0);
    expect(listOf(postings, 3)).toEqual([0, 1, 4]);
    expect(listOf(postings, 7)).toEqual([0]);
  });

  it("given packed lists and a tail, lists the packed slots first", () => {
    const postings = new Postings();
    postings.add(1, 0);
    postings.add(2, 0);
    postings.pack();
    postings.add(1, 5);
    postings.add(9, 5);
    expect(listOf(postings, 1)).toEqual([0, 5]);
    expect(listOf(postings, 2)).toEqual([0]);
    expect(listOf(postings, 9)).toEqual([5]);
    postings.pack();
    expect(listOf(postings, 1)).toEqual([0, 5]);
    expect(listOf(postings, 9)).toEqual([5]);
  });

  it("appends many slots at once after the packed lists and the tail, asking for their ids to count and to fill", () => {
    const postings = new Postings();
    postings.add(0, 0);
    postings.pack();
    postings.add(0, 1);
    postings.add(2, 1);
    const idsOf = (slot: number, visit: (id: number) => void) => {
      visit(slot % 3);
      if (slot % 2 === 0) visit(3);
    };
    postings.append(2, 8, 4, idsOf);
    expect(postings.tailLength).toBe(0);
    expect(listOf(postings, 0)).toEqual([0, 1, 3, 6]);
    expect(listOf(postings, 1)).toEqual([4, 7]);
    expect(listOf(postings, 2)).toEqual([1, 2, 5]);
    expect(listOf(postings, 3)).toEqual([2, 4, 6]);
  });

  it("keeps slots past a chunk of the tail apart from their ids", () => {
    const postings = new Postings();
    for (let slot = 0; slot < 10_000; slot += 1) {
      postings.add(slot % 5, slot);
      postings.add(5, slot);
    }
    const expected = Array.from({ length: 2000 }, (_, i) => i * 5 + 2);
    expect(listOf(postings, 2)).toEqual(expected);
    expect(postings.get(5).length).toBe(10_000);
    postings.pack();
    expect(listOf(postings, 2)).toEqual(expected);
    expect(postings.get(5).length).toBe(10_000);
  });

  it("forgets everything when cleared", () => {
    const postings = new Postings();
    postings.add(1, 0);
    postings.pack();
    postings.add(1, 1);
    postings.clear();
    expect(listOf(postings, 1)).toEqual([]);
    expect(postings.tailLength).toBe(0);
  });

  it("keeps slots far apart exactly, across every width of the distances written", () => {
    const postings = new Postings();
    const slots = [0, 1, 128, 129, 16_512, 16_513, 2_113_664, 2_113_665, 270_549_120];
    for (const slot of slots) postings.add(4, slot);
    postings.pack();
    expect(listOf(postings, 4)).toEqual(slots);
    postings.append(270_549_121, 270_549_123, 5, (_slot, visit) => visit(4));
    expect(listOf(postings, 4)).toEqual([...slots, 270_549_121, 270_549_122]);
  });

  it("counts a list, tail included, without decoding it", () => {
    const postings = new Postings();
    for (let slot = 0; slot < 50; slot += 1) postings.add(slot % 2, slot);
    postings.pack();
    postings.add(1, 50);
    postings.add(1, 51);
    expect(postings.count(1)).toBe(27);
    expect(postings.count(0)).toBe(25);
    expect(postings.count(7)).toBe(0);
  });

  it("tallies lists into counts, packed and tail alike, noting each slot the first time it is counted", () => {
    const postings = new Postings();
    for (let slot = 0; slot < 200; slot += 1) {
      if (slot % 2 === 0) postings.add(1, slot);
      if (slot % 3 === 0) postings.add(2, slot);
    }
    postings.pack();
    postings.add(1, 300);
    postings.add(2, 300);
    const counts = new Int32Array(301);
    const touched: number[] = [];
    postings.tally(1, counts, touched);
    postings.tally(2, counts, touched);
    expect(counts[0]).toBe(2);
    expect(counts[300]).toBe(2);
    expect(counts[6]).toBe(2);
    expect(counts[4]).toBe(1);
    expect(counts[3]).toBe(1);
    expect(counts[5]).toBe(0);
    expect(touched).toHaveLength(new Set(touched).size);
    expect(touched.sort((a, b) => a - b)).toEqual(
      Array.from({ length: 301 }, (_, slot) => slot).filter(
        (slot) => (slot < 200 && (slot % 2 === 0 || slot % 3 === 0)) || slot === 300,
      ),
    );
  });

  it("refuses a slot below one already listed under the same id", () => {
    const postings = new Postings();
    postings.add(1, 5);
    postings.pack();
    postings.add(1, 3);
    expect(() => postings.pack()).toThrow(/slot 3 added under id 1 after slot 5/);
  });

  it("renumbers after a compaction: removed slots go, the rest keep their order under their new numbers", () => {
    const postings = new Postings();
    for (let slot = 0; slot < 300; slot += 1) {
      postings.add(slot % 3, slot);
      if (slot % 10 === 0) postings.add(3, slot);
    }
    postings.pack();
    postings.add(0, 300);
    // Every fifth slot removed; the others numbered anew, in order.
    const newSlotOf = new Int32Array(301).fill(-1);
    let next = 0;
    for (let slot = 0; slot <= 300; slot += 1) if (slot % 5 !== 0) newSlotOf[slot] = next++;
    postings.renumber(newSlotOf);
    const expected = (id: number) =>
      Array.from({ length: 301 }, (_, slot) => slot)
        .filter((slot) => (slot === 300 ? id === 0 : slot % 3 === id || (id === 3 && slot % 10 === 0)))
        .map((slot) => newSlotOf[slot] as number)
        .filter((slot) => slot >= 0);
    for (const id of [0, 1, 2, 3]) expect(listOf(postings, id), `id ${id}`).toEqual(expected(id));
    expect(listOf(postings, 3)).toEqual([]);
    postings.add(1, 250);
    expect(listOf(postings, 1).at(-1)).toBe(250);
  });
});
