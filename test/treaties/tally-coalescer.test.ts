import { describe, expect, it } from "vitest";
import { TallyCoalescer } from "../../src/treaties/tally-coalescer.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("TallyCoalescer", () => {
  it("turns a burst into one edit shortly after the clicks pause", async () => {
    const flushed: number[] = [];
    const started = Date.now();
    const coalescer = new TallyCoalescer(async () => void flushed.push(Date.now() - started), {
      quietMs: 50,
      maxWaitMs: 400,
      intervalMs: 100,
    });
    for (let i = 0; i < 200; i += 1) coalescer.touch("t");
    await sleep(300);
    expect(flushed).toHaveLength(1);
    // Timers never fire early; on a loaded machine they may fire late, so only the pause is bounded below.
    expect(flushed[0]).toBeGreaterThanOrEqual(45);
  });

  it("during a long stream, shows progress by the maximum wait, at most once per interval, and ends with an edit", async () => {
    const flushed: number[] = [];
    const coalescer = new TallyCoalescer(async () => void flushed.push(Date.now()), {
      quietMs: 50,
      maxWaitMs: 200,
      intervalMs: 150,
    });
    const end = Date.now() + 700;
    while (Date.now() < end) {
      coalescer.touch("t");
      await sleep(10);
    }
    await sleep(400);
    expect(flushed.length).toBeGreaterThanOrEqual(2);
    expect(flushed.length).toBeLessThanOrEqual(6);
    for (let i = 1; i < flushed.length; i += 1)
      expect((flushed[i] as number) - (flushed[i - 1] as number)).toBeGreaterThanOrEqual(140);
    expect(flushed.at(-1) as number).toBeGreaterThanOrEqual(end);
  });

  it("a change during an edit is followed by another edit", async () => {
    let calls = 0;
    const coalescer = new TallyCoalescer(
      async () => {
        calls += 1;
        if (calls === 1) {
          coalescer.touch("t");
          await sleep(20);
        }
      },
      { quietMs: 10, maxWaitMs: 50, intervalMs: 30 },
    );
    coalescer.touch("t");
    await sleep(150);
    expect(calls).toBe(2);
  });
});
