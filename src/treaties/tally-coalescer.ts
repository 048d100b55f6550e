/**
 * Turns a burst of "the tally changed" into a few edits: the first change is shown after a short pause, later
 * ones at most once per interval, and the last one always (each flush reads the database, so the shown tally
 * catches up with every ballot). Discord allows only a few message edits per channel per second.
 */
export class TallyCoalescer {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastFlush = new Map<string, number>();
  private readonly flushing = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  /** Edits made, for the benchmark and for tests that check bursts are coalesced. */
  edits = 0;

  constructor(
    private readonly flush: (key: string) => Promise<void>,
    private readonly intervalMs = 2000,
    private readonly firstDelayMs = 250,
  ) {}

  touch(key: string): void {
    if (this.flushing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.timers.has(key)) return;
    const since = Date.now() - (this.lastFlush.get(key) ?? 0);
    const delay = Math.max(this.firstDelayMs, this.intervalMs - since);
    const timer = setTimeout(() => void this.run(key), delay);
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Forgets pending edits of a key (its final state is drawn by whoever closes it). Waits for one in flight. */
  async cancel(key: string): Promise<void> {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.dirty.delete(key);
    await this.flushing.get(key);
  }

  /** Waits until nothing is pending (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.timers.size > 0 || this.flushing.size > 0) {
      for (const key of [...this.timers.keys()]) {
        clearTimeout(this.timers.get(key));
        this.timers.delete(key);
        await this.run(key);
      }
      await Promise.all(this.flushing.values());
    }
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.dirty.clear();
  }

  private async run(key: string): Promise<void> {
    this.timers.delete(key);
    const flushing = (async () => {
      try {
        this.edits += 1;
        await this.flush(key);
      } finally {
        this.lastFlush.set(key, Date.now());
      }
    })();
    this.flushing.set(key, flushing);
    try {
      await flushing;
    } catch {
      // The flush logs its own failures; the next change tries again.
    } finally {
      this.flushing.delete(key);
      if (this.dirty.delete(key)) this.touch(key);
    }
  }
}
