/**
 * Group commit for ballots. A click is queued and answered when the batch it joined is stored: while one batch is
 * being written, the clicks arriving meanwhile gather into the next. A lone click is written at once (after the
 * current turn of the event loop, so clicks delivered together start together); a burst of a thousand is written in
 * a few batches, with one read of the treaty, the voters' factions and their earlier ballots per batch, instead of
 * a thousand interleaved round trips that all finish at the end.
 *
 * Each request gets its own answer (a result, or the error that concerns it alone); a batch that fails as a whole
 * fails every click in it, and the next batch is tried afresh.
 */
export class BallotBatcher<Request, Result> {
  private queue: { request: Request; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];
  private draining = false;

  constructor(
    private readonly write: (batch: readonly Request[]) => Promise<(Result | Error)[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(request: Request): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((item) => item.request));
        batch.forEach((item, i) => {
          const result = results[i];
          if (result instanceof Error) item.reject(result);
          else if (result === undefined) item.reject(new Error("the ballot batch returned no result for a click"));
          else item.resolve(result);
        });
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    this.draining = false;
  }
}
