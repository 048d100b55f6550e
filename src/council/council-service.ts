import { UserError } from "../errors.js";
import type { FactionService } from "../factions/faction-service.js";
import type { Logger } from "../logging/logger.js";
import type { JobStore } from "../scheduler/job-store.js";
import type { Clock } from "../time/clock.js";
import type { TreatyService } from "../treaties/treaty-service.js";
import type { CouncilSchedule, CouncilStore, Occurrence } from "./council-store.js";
import { nextTimes, planWork } from "./schedule.js";

export const COUNCIL_JOB = "council";
export const NOTE_MAX = 300;

export interface Agenda {
  sessionAt: Date;
  since: Date | null;
  openTreaties: { number: number; title: string; closesAt: Date; beforeSession: boolean }[];
  decided: { number: number; title: string; status: string; summary: string | null }[];
  factionChanges: { created: string[]; archived: string[]; joined: number; left: number; moved: number };
  notes: { id: string; text: string; authorId: string }[];
}

export type PostResult =
  | { ok: true; messageId: string }
  | { ok: false; reason: "missing-channel" | "missing-access" | "failed" };

/** What the council needs from Discord: posting, telling admins, and the server's scheduled events. */
export interface CouncilPublisher {
  /** `once` names the occurrence: posting the same one again (a takeover after a crash) must not post twice. */
  announce(
    schedule: CouncilSchedule,
    session: { at: Date; late: boolean; once: string },
    agenda: Agenda,
  ): Promise<PostResult>;
  remind(schedule: CouncilSchedule, sessionAt: Date, once: string): Promise<PostResult>;
  /** Tells the server's admins something went wrong: in the council channel if possible, else the system channel. */
  alertAdmins(schedule: CouncilSchedule, text: string): Promise<void>;
  /** Creates or moves the scheduled event for the next session; returns its id, or null when Discord refused. */
  upsertEvent(schedule: CouncilSchedule, at: Date): Promise<string | null>;
  deleteEvent(guildId: string, eventId: string): Promise<void>;
}

export type ScheduleInput = Pick<
  CouncilSchedule,
  "channelId" | "cron" | "label" | "timeZone" | "mentionRoleId" | "reminderMinutes" | "graceMinutes" | "createEvents"
>;

/** One occurrence's identity, the same in every process: the name its post is made once under. */
function occurrenceKey(scheduleId: string, at: Date, kind: "session" | "reminder" | "now"): string {
  return `council:${scheduleId}:${at.toISOString()}:${kind}`;
}

const REASONS = {
  "missing-channel": "the council channel no longer exists",
  "missing-access": "I may not post in the council channel (missing permission)",
} as const;

/**
 * Council sessions: the schedule, the agenda, and the job that posts each session exactly once (claimed in the
 * database before posting), late within the grace period, missed beyond it, never in a burst.
 */
export class CouncilService {
  private publisher: CouncilPublisher | null = null;

  constructor(
    private readonly store: CouncilStore,
    private readonly jobs: JobStore,
    private readonly factions: FactionService,
    private readonly treaties: TreatyService,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly owner: string,
    private readonly poke: () => void = () => undefined,
  ) {}

  usePublisher(publisher: CouncilPublisher): void {
    this.publisher = publisher;
  }

  schedule(guildId: string): Promise<CouncilSchedule | undefined> {
    return this.store.schedule(guildId);
  }

  /** Creates or replaces the schedule. Sessions before now are never posted for it. */
  async setSchedule(guildId: string, actorId: string, input: ScheduleInput): Promise<CouncilSchedule> {
    const now = this.clock.now();
    const previous = await this.store.schedule(guildId);
    const schedule = await this.store.saveSchedule({ guildId, createdBy: actorId, handledUntil: now, ...input });
    if (previous?.eventId && !input.createEvents) await this.dropEvent(schedule);
    await this.wake(schedule);
    return this.syncEvent(schedule);
  }

  async next(guildId: string, count: number): Promise<{ schedule: CouncilSchedule; times: Date[] }> {
    const schedule = await this.requireSchedule(guildId);
    const times = nextTimes(schedule.cron, schedule.timeZone, this.clock.now(), count + 1).filter(
      (t) => t.getTime() !== schedule.skipAt?.getTime(),
    );
    return { schedule, times: schedule.status === "active" ? times.slice(0, count) : [] };
  }

  async skipNext(guildId: string): Promise<Date> {
    const schedule = await this.requireActive(guildId);
    const [next] = nextTimes(schedule.cron, schedule.timeZone, this.clock.now(), 1);
    if (!next) throw new UserError("no-session", "The schedule has no upcoming session.");
    const updated = await this.store.update(schedule.id, { skipAt: next });
    await this.syncEvent(updated);
    return next;
  }

  async pause(guildId: string): Promise<void> {
    const schedule = await this.requireActive(guildId);
    const updated = await this.store.update(schedule.id, { status: "paused" });
    await this.dropEvent(updated);
  }

  /** Resumes from now: sessions that fell in the pause are not posted late. */
  async resume(guildId: string): Promise<CouncilSchedule> {
    const schedule = await this.requireSchedule(guildId);
    if (schedule.status === "active") throw new UserError("not-paused", "The council schedule is already running.");
    if (schedule.status === "cancelled")
      throw new UserError("cancelled", "The schedule was cancelled; set a new one with `/council schedule`.");
    const updated = await this.store.update(schedule.id, {
      status: "active",
      disabledReason: null,
      handledUntil: this.clock.now(),
    });
    await this.wake(updated);
    return this.syncEvent(updated);
  }

  async cancel(guildId: string): Promise<void> {
    const schedule = await this.requireSchedule(guildId);
    if (schedule.status === "cancelled") throw new UserError("cancelled", "There is no council schedule to cancel.");
    const updated = await this.store.update(schedule.id, { status: "cancelled", skipAt: null });
    await this.dropEvent(updated);
  }

  async status(guildId: string): Promise<{ schedule: CouncilSchedule; recent: Occurrence[]; next: Date | null }> {
    const schedule = await this.requireSchedule(guildId);
    const recent = await this.store.recent(schedule.id, 10);
    const [next] = schedule.status === "active" ? (await this.next(guildId, 1)).times : [];
    return { schedule, recent, next: next ?? null };
  }

  async addNote(guildId: string, authorId: string, raw: string): Promise<number> {
    const text = raw
      .normalize("NFC")
      .replace(/[\p{Cf}\p{Zl}\p{Zp}]/gu, "")
      .replace(/\s+/g, " ")
      .trim();
    if (text.length < 3) throw new UserError("bad-note", "An agenda note needs at least 3 characters.");
    if (text.length > NOTE_MAX)
      throw new UserError(
        "bad-note",
        `An agenda note can have at most ${NOTE_MAX} characters (this one has ${text.length}).`,
      );
    return this.store.addNote(guildId, authorId, text);
  }

  clearNotes(guildId: string): Promise<number> {
    return this.store.clearNotes(guildId, this.clock.now());
  }

  /** The agenda for a session: open treaties (closing first), decisions and faction changes since the last one, notes. */
  async agenda(guildId: string, sessionAt: Date): Promise<Agenda> {
    const since = await this.store.lastSession(guildId, sessionAt);
    const [open, decided, factionChanges, notes] = await Promise.all([
      this.treaties.openTreaties(guildId),
      this.treaties.decidedSince(guildId, since),
      this.factions.changesSince(guildId, since),
      this.store.pendingNotes(guildId),
    ]);
    return {
      sessionAt,
      since,
      openTreaties: open.map((t) => ({
        number: t.number,
        title: t.title,
        closesAt: t.closesAt,
        beforeSession: t.closesAt <= sessionAt,
      })),
      decided: decided.map((t) => ({ number: t.number, title: t.title, status: t.status, summary: t.summary })),
      factionChanges,
      notes,
    };
  }

  /** /council now: convenes at once, outside the schedule (posted once, even if clicked twice). */
  async conveneNow(guildId: string): Promise<void> {
    const schedule = await this.requireSchedule(guildId);
    if (schedule.status === "cancelled")
      throw new UserError("cancelled", "Set a schedule first with `/council schedule`: it names the channel.");
    const now = this.clock.now();
    const at = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    const claimed = await this.store.claim(schedule.id, guildId, at, "now", this.owner, now);
    if (typeof claimed !== "string") throw new UserError("already", "The council was just convened.");
    const result = await this.post(
      schedule,
      claimed,
      { at: now, late: false, once: occurrenceKey(schedule.id, at, "now") },
      "now",
    );
    if (!result.ok)
      throw new UserError(
        "post-failed",
        `I could not post the session: ${REASONS[result.reason as keyof typeof REASONS] ?? "Discord refused"}.`,
      );
  }

  /** The job: handles everything due for one schedule, then queues the next wake. */
  async run(scheduleId: string): Promise<void> {
    const schedule = await this.store.scheduleById(scheduleId);
    if (schedule?.status !== "active") return;
    const now = this.clock.now();
    const plan = planWork(schedule, now);
    for (const session of plan.sessions) {
      if (session.action === "missed" || session.action === "skipped") {
        await this.store.record(
          schedule.id,
          schedule.guildId,
          session.at,
          "session",
          session.action,
          session.action === "missed" ? "the bot was down past the grace period" : "skipped by /council skip",
        );
        if (session.action === "missed")
          this.log.warn({ guildId: schedule.guildId, at: session.at }, "council session missed");
        continue;
      }
      const claimed = await this.store.claim(schedule.id, schedule.guildId, session.at, "session", this.owner, now);
      if (claimed === null) continue;
      if (typeof claimed !== "string") {
        // Another process is posting it (or died doing so): nothing past it is handled yet; look again when its
        // claim would lapse.
        await this.queueWake(schedule.id, schedule.guildId, claimed.heldUntil);
        return;
      }
      const result = await this.post(
        schedule,
        claimed,
        { at: session.at, late: session.action === "late", once: occurrenceKey(schedule.id, session.at, "session") },
        "session",
      );
      if (!result.ok) return; // disabled (or retried by the job loop); the rest waits
    }
    if (plan.reminderFor) {
      const claimed = await this.store.claim(
        schedule.id,
        schedule.guildId,
        plan.reminderFor,
        "reminder",
        this.owner,
        now,
      );
      if (claimed !== null && typeof claimed !== "string") {
        await this.queueWake(schedule.id, schedule.guildId, claimed.heldUntil);
        return;
      }
      if (claimed) {
        const once = occurrenceKey(schedule.id, plan.reminderFor, "reminder");
        const result = await this.publisher?.remind(schedule, plan.reminderFor, once);
        if (result) await this.finishOrDisable(schedule, claimed, result, false);
        if (result && !result.ok) return;
      }
    }
    await this.store.advance(schedule.id, plan.handledUntil);
    const fresh = (await this.store.scheduleById(schedule.id)) ?? schedule;
    if (fresh.skipAt && fresh.skipAt <= plan.handledUntil) await this.store.update(schedule.id, { skipAt: null });
    await this.syncEvent(fresh);
    if (plan.wakeAt) await this.queueWake(schedule.id, schedule.guildId, plan.wakeAt);
  }

  private async post(
    schedule: CouncilSchedule,
    occurrenceId: string,
    session: { at: Date; late: boolean; once: string },
    kind: "session" | "now",
  ): Promise<PostResult> {
    if (!this.publisher) throw new Error("no council publisher");
    const agenda = await this.agenda(schedule.guildId, session.at);
    const result = await this.publisher.announce(schedule, session, agenda);
    if (result.ok)
      await this.store.useNotes(
        agenda.notes.map((n) => n.id),
        this.clock.now(),
      );
    await this.finishOrDisable(schedule, occurrenceId, result, session.late);
    if (result.ok)
      this.log.info({ guildId: schedule.guildId, at: session.at, late: session.late, kind }, "council session posted");
    return result;
  }

  /** Records a post; a deleted channel or a missing permission disables the schedule and tells the admins. */
  private async finishOrDisable(
    schedule: CouncilSchedule,
    occurrenceId: string,
    result: PostResult,
    late: boolean,
  ): Promise<void> {
    const now = this.clock.now();
    if (result.ok) {
      await this.store.finish(occurrenceId, {
        status: "posted",
        late,
        note: late ? "posted late, after downtime" : null,
        channelId: schedule.channelId,
        messageId: result.messageId,
        postedAt: now,
      });
      return;
    }
    if (result.reason === "failed") {
      // A passing failure: give the claim back so the job loop's retry can post it.
      await this.store.release(occurrenceId);
      throw new Error("posting a council session failed");
    }
    const reason = REASONS[result.reason];
    await this.store.finish(occurrenceId, { status: "failed", note: reason });
    const disabled = await this.store.update(schedule.id, { status: "disabled", disabledReason: reason });
    this.log.warn({ guildId: schedule.guildId, reason }, "council schedule disabled");
    await this.publisher?.alertAdmins(
      disabled,
      `The council schedule is paused: ${reason}. Fix it, then run \`/council resume\` (or \`/council schedule\` with another channel).`,
    );
    await this.dropEvent(disabled);
  }

  /** Queues the schedule's next look. One job per wake time: two processes queue it once. */
  private async queueWake(scheduleId: string, guildId: string, at: Date): Promise<void> {
    await this.jobs.schedule({
      key: `${COUNCIL_JOB}:${scheduleId}:${at.toISOString()}`,
      kind: COUNCIL_JOB,
      guildId,
      payload: { scheduleId },
      dueAt: at,
    });
    this.poke();
  }

  private async wake(schedule: CouncilSchedule): Promise<void> {
    const plan = planWork(schedule, this.clock.now());
    if (plan.wakeAt) await this.queueWake(schedule.id, schedule.guildId, plan.wakeAt);
  }

  /** Keeps the Discord scheduled event on the next session (when the schedule wants events). */
  private async syncEvent(schedule: CouncilSchedule): Promise<CouncilSchedule> {
    if (!this.publisher || !schedule.createEvents || schedule.status !== "active") return schedule;
    const [next] = nextTimes(schedule.cron, schedule.timeZone, this.clock.now(), 2).filter(
      (t) => t.getTime() !== schedule.skipAt?.getTime(),
    );
    if (!next || (schedule.eventId && schedule.eventFor?.getTime() === next.getTime())) return schedule;
    const eventId = await this.publisher.upsertEvent(schedule, next);
    return this.store.update(schedule.id, { eventId, eventFor: eventId ? next : null });
  }

  private async dropEvent(schedule: CouncilSchedule): Promise<void> {
    if (!schedule.eventId) return;
    await this.publisher?.deleteEvent(schedule.guildId, schedule.eventId).catch((error: unknown) => {
      this.log.warn({ err: error }, "could not cancel the council's scheduled event");
    });
    await this.store.update(schedule.id, { eventId: null, eventFor: null });
  }

  private async requireSchedule(guildId: string): Promise<CouncilSchedule> {
    const schedule = await this.store.schedule(guildId);
    if (!schedule)
      throw new UserError(
        "no-schedule",
        "This server has no council schedule yet. An admin can set one with `/council schedule`.",
      );
    return schedule;
  }

  private async requireActive(guildId: string): Promise<CouncilSchedule> {
    const schedule = await this.requireSchedule(guildId);
    if (schedule.status !== "active")
      throw new UserError(
        "not-active",
        `The council schedule is ${schedule.status}${schedule.disabledReason ? ` (${schedule.disabledReason})` : ""}.`,
      );
    return schedule;
  }
}
