import { describe, expect, it } from "vitest";
import { BallotBatcher } from "../../src/treaties/ballot-batcher.js";

describe("BallotBatcher", () => {
  it("writes a lone request at once and gathers what arrives during a write into the next batch", async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const batcher = new BallotBatcher<number, string>(async (batch) => {
      batches.push([...batch]);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return batch.map((n) => `stored ${n}`);
    });
    const first = batcher.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);
    const later = [2, 3, 4].map((n) => batcher.submit(n));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toHaveLength(1);
    release();
    expect(await first).toBe("stored 1");
    expect(await Promise.all(later)).toEqual(["stored 2", "stored 3", "stored 4"]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it("gives each request its own answer, splits large bursts, and recovers from a batch that fails", async () => {
    let calls = 0;
    const batcher = new BallotBatcher<number, number>(async (batch) => {
      calls += 1;
      if (batch.includes(13)) throw new Error("database gone");
      return batch.map((n) => (n % 2 === 0 ? n * 10 : new Error(`odd ${n}`)));
    }, 2);
    const answers = await Promise.allSettled([2, 3, 13, 4, 6, 8].map((n) => batcher.submit(n)));
    expect(answers.map((a) => (a.status === "fulfilled" ? a.value : (a.reason as Error).message))).toEqual([
      20,
      "odd 3",
      "database gone",
      "database gone",
      60,
      80,
    ]);
    expect(calls).toBe(3);
  });
});
