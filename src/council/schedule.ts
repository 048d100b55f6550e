import { Cron } from "croner";
import { UserError } from "../errors.js";

// When council sessions fall, as pure functions over a cron expression in an IANA time zone. croner applies the
// zone's daylight-saving rules, so "every Friday 20:00 Europe/Berlin" stays 20:00 local across the change.

export const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The shortest gap allowed between sessions: a council is not a chat bot. */
export const MIN_INTERVAL_MS = 60 * 60_000;
/** After long downtime, at most this many past sessions are looked at in one pass. */
export const MAX_BACKLOG = 200;
/** A session posted within this of its time counts as on time. */
export const ON_TIME_MS = 2 * 60_000;

export function presetCron(weekday: Weekday, time: string): { cron: string; label: string } {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(time.trim());
  if (!match) throw new UserError("bad-time", "Give the time as HH:MM on a 24-hour clock, for example 20:00.");
  const [hour, minute] = [Number(match[1]), Number(match[2])];
  const day = WEEKDAYS.indexOf(weekday);
  const pad = (n: number) => String(n).padStart(2, "0");
  return {
    cron: `${minute} ${hour} * * ${day}`,
    label: `every ${weekday[0]?.toUpperCase()}${weekday.slice(1)} at ${pad(hour)}:${pad(minute)}`,
  };
}

/** Checks a power user's cron expression: five fields, valid, and no more often than hourly. */
export function validateCron(expression: string, timeZone: string): string {
  const cron = expression.trim().replace(/\s+/g, " ");
  if (cron.split(" ").length !== 5)
    throw new UserError(
      "bad-cron",
      "A cron expression has five fields: minute hour day-of-month month day-of-week, e.g. `0 20 * * 5`.",
    );
  let times: Date[];
  try {
    times = nextTimes(cron, timeZone, new Date(), 12);
  } catch {
    throw new UserError(
      "bad-cron",
      `\`${cron}\` is not a cron expression I can read. Example: \`0 20 * * 5\` (Fridays at 20:00).`,
    );
  }
  if (times.length === 0) throw new UserError("bad-cron", `\`${cron}\` never happens.`);
  for (let i = 1; i < times.length; i += 1)
    if ((times[i] as Date).getTime() - (times[i - 1] as Date).getTime() < MIN_INTERVAL_MS)
      throw new UserError("bad-cron", "Council sessions can be at most hourly.");
  return cron;
}

/** The next `count` session times strictly after `after`. */
export function nextTimes(cron: string, timeZone: string, after: Date, count: number): Date[] {
  const job = new Cron(cron, { timezone: timeZone, paused: true });
  const out: Date[] = [];
  let cursor = after;
  while (out.length < count) {
    const next = job.nextRun(cursor);
    if (!next) break;
    out.push(next);
    cursor = next;
  }
  return out;
}

export interface ScheduleTiming {
  cron: string;
  timeZone: string;
  handledUntil: Date;
  skipAt: Date | null;
  graceMinutes: number;
  reminderMinutes: number | null;
}

export type SessionAction = "post" | "late" | "missed" | "skipped";

export interface Plan {
  /** Sessions whose time has come since the last pass, oldest first, with what to do about each. */
  sessions: { at: Date; action: SessionAction }[];
  /** A reminder to send now for the next session (its key makes sending it twice impossible). */
  reminderFor: Date | null;
  /** The new handled-until mark. */
  handledUntil: Date;
  /** When to look again: the next reminder or session, or now if a long backlog was cut short. */
  wakeAt: Date | null;
}

/**
 * What a schedule needs now. A session within the grace period is posted (late, with a note, if more than two
 * minutes behind); older ones are missed: after downtime the council never posts a burst of old sessions.
 */
export function planWork(timing: ScheduleTiming, now: Date): Plan {
  // Walk forward from the handled mark only as far as now (usually one step), not a fixed number of times.
  const job = new Cron(timing.cron, { timezone: timing.timeZone, paused: true });
  const due: Date[] = [];
  let upcoming: Date | null = null;
  for (let cursor = timing.handledUntil; due.length < MAX_BACKLOG; ) {
    const next = job.nextRun(cursor);
    if (!next || next > now) {
      upcoming = next;
      break;
    }
    due.push(next);
    cursor = next;
  }
  const graceMs = timing.graceMinutes * 60_000;
  const sessions = due.map((at) => {
    const age = now.getTime() - at.getTime();
    const action: SessionAction =
      timing.skipAt && timing.skipAt.getTime() === at.getTime()
        ? "skipped"
        : age <= ON_TIME_MS
          ? "post"
          : age <= graceMs
            ? "late"
            : "missed";
    return { at, action };
  });
  // A backlog longer than one pass may look at: only the newest can still be within the grace period.
  const backlogCut = due.length === MAX_BACKLOG;
  const handledUntil = due.at(-1) ?? timing.handledUntil;
  const next = upcoming ?? nextTimes(timing.cron, timing.timeZone, now, 1)[0];
  let reminderFor: Date | null = null;
  let wakeAt: Date | null = next ?? null;
  if (next && timing.reminderMinutes) {
    const remindAt = new Date(next.getTime() - timing.reminderMinutes * 60_000);
    const skipped = timing.skipAt?.getTime() === next.getTime();
    if (remindAt <= now) reminderFor = skipped ? null : next;
    else wakeAt = remindAt;
  }
  return { sessions, reminderFor, handledUntil, wakeAt: backlogCut ? now : wakeAt };
}
