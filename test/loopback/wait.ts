/**
 * Polling-free waiting: callers register a change listener, and each change
 * re-runs `check` until it yields a value or the deadline passes.
 */
export type Unsubscribe = () => void;

export class ChangeSignal {
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

export function waitFor<T>(
  signal: ChangeSignal,
  check: () => T | undefined,
  timeoutMs: number,
  describe: () => string,
): Promise<T> {
  const immediate = check();
  if (immediate !== undefined) return Promise.resolve(immediate);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`loopback: timed out after ${timeoutMs}ms waiting for ${describe()}`));
    }, timeoutMs);
    const unsubscribe = signal.subscribe(() => {
      const value = check();
      if (value === undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
