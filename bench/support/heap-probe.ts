import path from "node:path";
import { ROOT } from "../lib/paths.js";
import type { Started } from "./processes.js";

/** NODE_OPTIONS that preload heap-probe.cjs, kept with any NODE_OPTIONS the bench itself was given. */
export function heapProbeNodeOptions(): string {
  const probe = `--require ${JSON.stringify(path.join(ROOT, "bench", "support", "heap-probe.cjs"))}`;
  return process.env.NODE_OPTIONS ? `${process.env.NODE_OPTIONS} ${probe}` : probe;
}

export interface HeapReading {
  /** V8 heap in use, MB, as the process had it. */
  heapUsedMb: number;
  /** After two full collections: what the heap holds alive, and the resident memory then. */
  heapUsedAfterGcMb: number;
  rssAfterGcMb: number;
}

interface ProbeLine {
  before: NodeJS.MemoryUsage;
  after: NodeJS.MemoryUsage;
}

/** Asks a process started with heapProbeNodeOptions() for its heap, and waits for the answer. */
export async function readHeap(started: Started, timeoutMs = 10_000): Promise<HeapReading> {
  const seen = started.output().length;
  started.child.kill("SIGUSR2");
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const line = /heap-probe (\{.*\})\n/.exec(started.output().slice(seen))?.[1];
    if (line) {
      const { before, after } = JSON.parse(line) as ProbeLine;
      const mb = (bytes: number) => bytes / 1024 / 1024;
      return {
        heapUsedMb: mb(before.heapUsed),
        heapUsedAfterGcMb: mb(after.heapUsed),
        rssAfterGcMb: mb(after.rss),
      };
    }
    if (performance.now() > deadline) throw new Error(`no heap-probe line within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
