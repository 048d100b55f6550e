// A child process of the search figure: naive fuse.js takes seconds per query at 100k entries, so the anchor's
// queries are shared between two processes (one per core). It rebuilds the same corpus from the same seed.
import { corpus } from "../corpus/entries.js";
import { naiveFuse, naiveSearch } from "./naive-fuse.js";

export interface NaiveRequest {
  size: number;
  queries: { text: string; targetId: string }[];
}

export interface NaiveReply {
  buildMs: number;
  results: { ms: number; rank: number }[];
}

process.once("message", (request: NaiveRequest) => {
  const entries = corpus(request.size);
  const started = performance.now();
  const fuse = naiveFuse(entries);
  const buildMs = performance.now() - started;
  // One untimed query, so the first timed one does not pay for lazy set-up.
  naiveSearch(fuse, "warm up");
  const results = request.queries.map(({ text, targetId }) => {
    const t = performance.now();
    const ids = naiveSearch(fuse, text);
    return { ms: performance.now() - t, rank: ids.indexOf(targetId) };
  });
  process.send?.({ buildMs, results } satisfies NaiveReply, () => process.exit(0));
});
