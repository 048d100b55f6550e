/**
 * Turns a burst of "the tally changed" into a few edits. An edit waits until the clicks pause for a moment (so a
 * burst ends in one edit showing every ballot), but never longer than a maximum (so a long stream of clicks still
 * shows progress), and edits of one message are at least an interval apart (Discord allows only a few per
 * channel per second). Each flush reads the database, so the shown tally always catches up with every ballot.
 */
export class TallyCoalescer {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** When the key first changed since its last edit. */
  private readonly dirtySince = new Map<string, number>();
  private readonly lastFlush = new Map<string, number>();
  private readonly flushing = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** Edits made, for the benchmark and for tests that check bursts are coalesced. */
  edits = 0;

  constructor(
    private readonly flush: (key: string) => Promise<void>,
    private readonly options: { quietMs?: number; maxWaitMs?: number; intervalMs?: number } = {},
  ) {}

  private get quietMs() {
    return this.options.quietMs ?? 200;
  }
  private get maxWaitMs() {
    return this.options.maxWaitMs ?? 1500;
  }
  private get intervalMs() {
    return this.options.intervalMs ?? 1000;
  }

  touch(key: string): void {
    if (this.flushing.has(key)) {
      this.again.add(key);
      return;
    }
    const now = Date.now();
    const since = this.dirtySince.get(key) ?? now;
    this.dirtySince.set(key, since);
    const quiet = now + this.quietMs;
    const deadline = since + this.maxWaitMs;
    const earliest = (this.lastFlush.get(key) ?? 0) + this.intervalMs;
    const at = Math.max(Math.min(quiet, deadline), earliest);
    clearTimeout(this.timers.get(key));
    const timer = setTimeout(() => void this.run(key), Math.max(0, at - now));
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Forgets pending edits of a key (its final state is drawn by whoever closes it). Waits for one in flight. */
  async cancel(key: string): Promise<void> {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.dirtySince.delete(key);
    this.again.delete(key);
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
    this.dirtySince.clear();
    this.again.clear();
  }

  private async run(key: string): Promise<void> {
    this.timers.delete(key);
    this.dirtySince.delete(key);
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
      if (this.again.delete(key)) this.touch(key);
    }
  }
}
