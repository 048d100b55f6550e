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
});
