import type { PrismaClient } from "../db/database.js";
import { isUniqueViolation } from "../db/errors.js";
import type { CouncilSchedule as ScheduleRow } from "../generated/prisma/client.js";

export const SCHEDULE_STATUSES = ["active", "paused", "disabled", "cancelled"] as const;
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];
export type OccurrenceKind = "session" | "reminder" | "now";
export type OccurrenceStatus = "claimed" | "posted" | "missed" | "skipped" | "failed";

export interface CouncilSchedule {
  id: string;
  guildId: string;
  channelId: string;
  cron: string;
  label: string;
  timeZone: string;
  mentionRoleId: string | null;
  reminderMinutes: number | null;
  graceMinutes: number;
  createEvents: boolean;
  status: ScheduleStatus;
  disabledReason: string | null;
  skipAt: Date | null;
  handledUntil: Date;
  eventId: string | null;
  eventFor: Date | null;
  createdBy: string;
}

export interface Occurrence {
  id: string;
  scheduledFor: Date;
  kind: OccurrenceKind;
  status: OccurrenceStatus;
  late: boolean;
  note: string | null;
  messageId: string | null;
  postedAt: Date | null;
}

/** Named data functions for council schedules, occurrences and agenda notes. Every query names the server. */
export class CouncilStore {
  /**
   * @param claimLeaseMs a claim older than this without a post belongs to a process that died mid-post: another
   *   may take it over (the job lease, JOB_LEASE_SECONDS).
   */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly claimLeaseMs = 60_000,
  ) {}

  async schedule(guildId: string): Promise<CouncilSchedule | undefined> {
    const row = await this.prisma.councilSchedule.findUnique({ where: { guildId } });
    return row ? toSchedule(row) : undefined;
  }

  async scheduleById(id: string): Promise<CouncilSchedule | undefined> {
    const row = await this.prisma.councilSchedule.findUnique({ where: { id } });
    return row ? toSchedule(row) : undefined;
  }

  /** Creates or replaces the server's schedule; sessions before `handledUntil` are never posted. */
  async saveSchedule(
    data: Omit<CouncilSchedule, "id" | "status" | "disabledReason" | "skipAt" | "eventId" | "eventFor">,
  ): Promise<CouncilSchedule> {
    const fields = { ...data, status: "active", disabledReason: null, skipAt: null };
    const row = await this.prisma.councilSchedule.upsert({
      where: { guildId: data.guildId },
      create: fields,
      update: fields,
    });
    return toSchedule(row);
  }

  async update(
    id: string,
    patch: Partial<
      Pick<CouncilSchedule, "status" | "disabledReason" | "skipAt" | "handledUntil" | "eventId" | "eventFor">
    >,
  ): Promise<CouncilSchedule> {
    return toSchedule(await this.prisma.councilSchedule.update({ where: { id }, data: patch }));
  }

  /** Moves the handled mark forward only (two processes may pass the same point). */
  async advance(id: string, handledUntil: Date): Promise<void> {
    await this.prisma.councilSchedule.updateMany({
      where: { id, handledUntil: { lt: handledUntil } },
      data: { handledUntil },
    });
  }

  /**
   * Claims one occurrence for posting. The unique (schedule, time, kind) lets exactly one process win; a claim
   * whose holder died before posting is taken over once its lease has passed. Returns the occurrence's id when
   * this process may post it, `{ heldUntil }` while another process's claim is live (look again then), or null
   * when it is already handled.
   */
  async claim(
    scheduleId: string,
    guildId: string,
    scheduledFor: Date,
    kind: OccurrenceKind,
    owner: string,
    now: Date,
  ): Promise<string | { heldUntil: Date } | null> {
    try {
      const row = await this.prisma.councilOccurrence.create({
        data: { scheduleId, guildId, scheduledFor, kind, status: "claimed", claimedBy: owner, claimedAt: now },
      });
      return row.id;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const stale = new Date(now.getTime() - this.claimLeaseMs);
      const taken = await this.prisma.councilOccurrence.updateMany({
        where: { scheduleId, scheduledFor, kind, status: "claimed", claimedAt: { lt: stale } },
        data: { claimedBy: owner, claimedAt: now },
      });
      const row = await this.prisma.councilOccurrence.findFirst({
        where: { scheduleId, scheduledFor, kind },
        select: { id: true, status: true, claimedBy: true, claimedAt: true },
      });
      if (row?.status !== "claimed") return null;
      if (taken.count === 1 && row.claimedBy === owner) return row.id;
      return { heldUntil: new Date((row.claimedAt ?? now).getTime() + this.claimLeaseMs) };
    }
  }

  /** Records a session that was missed or skipped (no post), once. */
  async record(
    scheduleId: string,
    guildId: string,
    scheduledFor: Date,
    kind: OccurrenceKind,
    status: "missed" | "skipped",
    note: string | null,
  ): Promise<void> {
    try {
      await this.prisma.councilOccurrence.create({ data: { scheduleId, guildId, scheduledFor, kind, status, note } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }

  async finish(
    id: string,
    data: {
      status: "posted" | "failed";
      late?: boolean;
      note?: string | null;
      channelId?: string;
      messageId?: string | null;
      postedAt?: Date;
    },
  ): Promise<void> {
    await this.prisma.councilOccurrence.update({ where: { id }, data });
  }

  /** Gives a claim back (a post that failed for a passing reason), so the retry can claim it again. */
  async release(id: string): Promise<void> {
    await this.prisma.councilOccurrence.deleteMany({ where: { id, status: "claimed" } });
  }

  async recent(scheduleId: string, limit: number): Promise<Occurrence[]> {
    const rows = await this.prisma.councilOccurrence.findMany({
      where: { scheduleId },
      orderBy: [{ scheduledFor: "desc" }, { kind: "asc" }],
      take: limit,
    });
    return rows.map((row) => ({
      id: row.id,
      scheduledFor: row.scheduledFor,
      kind: row.kind as OccurrenceKind,
      status: row.status as OccurrenceStatus,
      late: row.late,
      note: row.note,
      messageId: row.messageId,
      postedAt: row.postedAt,
    }));
  }

  /** When the council last met (a posted session or a /council now), for "since the last session". */
  async lastSession(guildId: string, before: Date): Promise<Date | null> {
    const row = await this.prisma.councilOccurrence.findFirst({
      where: { guildId, status: "posted", kind: { in: ["session", "now"] }, scheduledFor: { lt: before } },
      orderBy: { scheduledFor: "desc" },
      select: { scheduledFor: true },
    });
    return row?.scheduledFor ?? null;
  }

  async addNote(guildId: string, authorId: string, text: string): Promise<number> {
    await this.prisma.agendaNote.create({ data: { guildId, authorId, text } });
    return this.prisma.agendaNote.count({ where: { guildId, usedAt: null } });
  }

  async pendingNotes(guildId: string): Promise<{ id: string; text: string; authorId: string }[]> {
    return this.prisma.agendaNote.findMany({
      where: { guildId, usedAt: null },
      orderBy: { createdAt: "asc" },
      select: { id: true, text: true, authorId: true },
      take: 25,
    });
  }

  async useNotes(ids: string[], at: Date): Promise<void> {
    if (ids.length > 0)
      await this.prisma.agendaNote.updateMany({ where: { id: { in: ids }, usedAt: null }, data: { usedAt: at } });
  }

  async clearNotes(guildId: string, at: Date): Promise<number> {
    return (await this.prisma.agendaNote.updateMany({ where: { guildId, usedAt: null }, data: { usedAt: at } })).count;
  }
}

function toSchedule(row: ScheduleRow): CouncilSchedule {
  return {
    id: row.id,
    guildId: row.guildId,
    channelId: row.channelId,
    cron: row.cron,
    label: row.label,
    timeZone: row.timeZone,
    mentionRoleId: row.mentionRoleId,
    reminderMinutes: row.reminderMinutes,
    graceMinutes: row.graceMinutes,
    createEvents: row.createEvents,
    status: row.status as ScheduleStatus,
    disabledReason: row.disabledReason,
    skipAt: row.skipAt,
    handledUntil: row.handledUntil,
    eventId: row.eventId,
    eventFor: row.eventFor,
    createdBy: row.createdBy,
  };
}
