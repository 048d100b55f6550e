import { describe, expect, it } from "vitest";
import { loadCompactly } from "../../src/v8-memory.js";

describe("loadCompactly", () => {
  it("returns what the load returns, collects once after it, and leaves no gc function in the bot's context", async () => {
    const before = (globalThis as { gc?: unknown }).gc;
    // Garbage the load drops: the collection after it must leave the heap well below where the load left it.
    let high = 0;
    const result = await loadCompactly(async () => {
      let garbage: number[][] | undefined = Array.from({ length: 200 }, () =>
        Array.from({ length: 10_000 }, Math.random),
      );
      high = process.memoryUsage().heapUsed;
      garbage = undefined;
      return garbage ?? "loaded";
    });
    expect(result).toBe("loaded");
    expect(process.memoryUsage().heapUsed).toBeLessThan(high - 8_000_000);
    expect((globalThis as { gc?: unknown }).gc).toBe(before);
  });

  it("passes a failed load's error on", async () => {
    await expect(loadCompactly(() => Promise.reject(new Error("disk on fire")))).rejects.toThrow("disk on fire");
  });
});
