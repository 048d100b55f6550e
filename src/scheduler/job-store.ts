import type { PrismaClient } from "../db/database.js";
import { isUniqueViolation } from "../db/errors.js";

export interface Job {
  id: string;
  key: string;
  kind: string;
  guildId: string | null;
  payload: Record<string, unknown>;
  dueAt: Date;
  attempts: number;
}

export interface NewJob {
  key: string;
  kind: string;
  guildId?: string | null;
  payload?: Record<string, unknown>;
  dueAt: Date;
}

/**
 * The job table: every timed job lives in the database, so a restart loses none and a job is claimed by exactly
 * one process (a conditional update that only one claimer can win), under a lease another process may take over
 * once it expires.
 */
export class JobStore {
  constructor(private readonly prisma: PrismaClient) {}

  /** Queues a job, or moves a pending one with the same key to its new time. A finished job stays finished. */
  async schedule(job: NewJob): Promise<void> {
    const data = {
      kind: job.kind,
      guildId: job.guildId ?? null,
      payload: JSON.stringify(job.payload ?? {}),
      dueAt: job.dueAt,
    };
    // No transaction to hold open: move a pending job under this key, else create it; a job under this key that
    // already ran (or runs now) stays as it is. Two processes queueing the same key end with one job.
    const moved = await this.prisma.scheduledJob.updateMany({ where: { key: job.key, status: "pending" }, data });
    if (moved.count > 0) return;
    try {
      await this.prisma.scheduledJob.create({ data: { ...data, key: job.key } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }

  async cancel(key: string): Promise<void> {
    await this.prisma.scheduledJob.updateMany({
      where: { key, status: "pending" },
      data: { status: "cancelled", finishedAt: new Date() },
    });
  }

  /** Claims up to `limit` due jobs for `owner`. Each claim is one conditional update: two processes never both win. */
  async claimDue(now: Date, owner: string, leaseMs: number, limit = 20): Promise<Job[]> {
    const candidates = await this.prisma.scheduledJob.findMany({
      where: {
        OR: [
          { status: "pending", dueAt: { lte: now } },
          { status: "running", leaseUntil: { lt: now } },
        ],
      },
      orderBy: { dueAt: "asc" },
      take: limit,
    });
    const claimed: Job[] = [];
    for (const row of candidates) {
      const { count } = await this.prisma.scheduledJob.updateMany({
        where: {
          id: row.id,
          OR: [
            { status: "pending", dueAt: { lte: now } },
            { status: "running", leaseUntil: { lt: now } },
          ],
        },
        data: {
          status: "running",
          claimedBy: owner,
          leaseUntil: new Date(now.getTime() + leaseMs),
          attempts: { increment: 1 },
        },
      });
      if (count === 1)
        claimed.push({
          id: row.id,
          key: row.key,
          kind: row.kind,
          guildId: row.guildId,
          payload: JSON.parse(row.payload) as Record<string, unknown>,
          dueAt: row.dueAt,
          attempts: row.attempts + 1,
        });
    }
    return claimed;
  }

  /** Extends the lease of a job this owner still holds; false when it lost it (another process took over). */
  async renew(id: string, owner: string, leaseUntil: Date): Promise<boolean> {
    const { count } = await this.prisma.scheduledJob.updateMany({
      where: { id, claimedBy: owner, status: "running" },
      data: { leaseUntil },
    });
    return count === 1;
  }

  async complete(id: string, owner: string, now: Date): Promise<void> {
    await this.prisma.scheduledJob.updateMany({
      where: { id, claimedBy: owner, status: "running" },
      data: { status: "done", finishedAt: now, leaseUntil: null },
    });
  }

  /** A failed run: tried again at `retryAt`, or given up (status failed) when there is none. */
  async fail(id: string, owner: string, error: string, retryAt: Date | null, now: Date): Promise<void> {
    await this.prisma.scheduledJob.updateMany({
      where: { id, claimedBy: owner, status: "running" },
      data: retryAt
        ? { status: "pending", dueAt: retryAt, lastError: error.slice(0, 1000), leaseUntil: null, claimedBy: null }
        : { status: "failed", lastError: error.slice(0, 1000), finishedAt: now, leaseUntil: null },
    });
  }

  /** How long the oldest due, unclaimed job has waited (0 when none is late): the scheduler's lag. */
  async lagMs(now: Date): Promise<number> {
    const oldest = await this.prisma.scheduledJob.findFirst({
      where: { status: "pending", dueAt: { lte: now } },
      orderBy: { dueAt: "asc" },
      select: { dueAt: true },
    });
    return oldest ? now.getTime() - oldest.dueAt.getTime() : 0;
  }

  /** When the loop should next look: the earliest pending job, or the earliest lease that will expire. */
  async nextWake(): Promise<Date | null> {
    const [pending, running] = await Promise.all([
      this.prisma.scheduledJob.findFirst({
        where: { status: "pending" },
        orderBy: { dueAt: "asc" },
        select: { dueAt: true },
      }),
      this.prisma.scheduledJob.findFirst({
        where: { status: "running", leaseUntil: { not: null } },
        orderBy: { leaseUntil: "asc" },
        select: { leaseUntil: true },
      }),
    ]);
    const times = [pending?.dueAt, running?.leaseUntil].filter((t): t is Date => t instanceof Date);
    return times.length > 0 ? new Date(Math.min(...times.map((t) => t.getTime()))) : null;
  }

  async get(key: string) {
    return this.prisma.scheduledJob.findUnique({ where: { key } });
  }
}
