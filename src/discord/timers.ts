/**
 * Timers that belong to the running bot (expiring page buttons and the like). Shutdown clears them all, so a
 * stopped bot leaves nothing behind and tests end without stray handles.
 */
export class TimerRegistry {
  private readonly pending = new Set<NodeJS.Timeout>();

  after(ms: number, task: () => Promise<void> | void, onError: (error: unknown) => void): void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      Promise.resolve().then(task).catch(onError);
    }, ms);
    timer.unref();
    this.pending.add(timer);
  }

  clear(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}
