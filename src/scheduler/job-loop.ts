import { randomUUID } from "node:crypto";
import type { Logger } from "../logging/logger.js";
import type { Clock } from "../time/clock.js";
import type { Job, JobStore } from "./job-store.js";

export type JobHandler = (job: Job) => Promise<void>;

export interface JobLoopOptions {
  /** How long a claim holds without renewal before another process may take the job over (renewed while running). */
  leaseMs?: number;
  /** The longest sleep: other processes may have queued earlier jobs in the shared database. */
  maxSleepMs?: number;
  /** Delay before a failed job is tried again; doubled each attempt, up to maxAttempts. */
  retryMs?: number;
  maxAttempts?: number;
}

/**
 * Runs timed jobs from the database: sleeps until the next one is due (not polling hard), claims what is due,
 * runs each in its own try/catch so one failure stops nothing else, and stops cleanly. Time comes from the
 * injected clock, so tests move time by hand and `poke()` the loop.
 */
export class JobLoop {
  readonly owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly handlers = new Map<string, JobHandler>();
  private timer: NodeJS.Timeout | undefined;
  /** The pass in progress (or the last one); passes never overlap. */
  private current: Promise<void> = Promise.resolve();
  /** A pass requested but not started yet. */
  private queued: Promise<void> | undefined;
  private stopped = true;
  private readonly leaseMs: number;
  private readonly maxSleepMs: number;
  private readonly retryMs: number;
  private readonly maxAttempts: number;

  constructor(
    readonly store: JobStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    options: JobLoopOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.maxSleepMs = options.maxSleepMs ?? 60_000;
    this.retryMs = options.retryMs ?? 30_000;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  on(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  start(): void {
    this.stopped = false;
    this.poke();
  }

  /**
   * Looks for due jobs now (after scheduling one, or after a test moved the clock). Resolves when a pass that
   * started after this call has ended; pokes that arrive before that pass starts share it.
   */
  poke(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.queued) return this.queued;
    clearTimeout(this.timer);
    const pass = this.current.then(async () => {
      this.queued = undefined;
      await this.tick().catch((error: unknown) => this.log.error({ err: error }, "job loop tick failed"));
      if (!this.queued) await this.sleep();
    });
    this.queued = pass;
    this.current = pass;
    return pass;
  }

  /** Stops waking up and waits for the jobs in hand to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  private async tick(): Promise<void> {
    for (;;) {
      const jobs = await this.store.claimDue(this.clock.now(), this.owner, this.leaseMs);
      if (jobs.length === 0) return;
      for (const job of jobs) await this.run(job);
      if (this.stopped) return;
    }
  }

  private async run(job: Job): Promise<void> {
    const handler = this.handlers.get(job.kind);
    // While the job runs, its lease is renewed: only a process that stopped answering loses its jobs.
    const heartbeat = setInterval(
      () => {
        const until = new Date(this.clock.now().getTime() + this.leaseMs);
        this.store.renew(job.id, this.owner, until).then(
          (held) => {
            if (!held) this.log.warn({ job: job.key }, "lost the lease of a running job to another process");
          },
          (error: unknown) => this.log.warn({ err: error, job: job.key }, "could not renew a job's lease"),
        );
      },
      Math.max(250, Math.floor(this.leaseMs / 3)),
    );
    heartbeat.unref();
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(job);
      await this.store.complete(job.id, this.owner, this.clock.now());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retryAt =
        job.attempts < this.maxAttempts
          ? new Date(this.clock.now().getTime() + this.retryMs * 2 ** (job.attempts - 1))
          : null;
      this.log.error({ err: error, job: job.key, attempts: job.attempts, retryAt }, "job failed");
      await this.store.fail(job.id, this.owner, message, retryAt, this.clock.now());
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async sleep(): Promise<void> {
    if (this.stopped) return;
    const next = await this.store.nextWake().catch(() => null);
    if (this.stopped) return;
    const delay = next ? Math.max(0, next.getTime() - this.clock.now().getTime()) : this.maxSleepMs;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poke(), Math.min(delay, this.maxSleepMs) + 5);
    this.timer.unref();
  }
}
