import { describe, expect, it } from "vitest";
import { nextTimes, planWork, presetCron, type ScheduleTiming, validateCron } from "../../src/council/schedule.js";

const MIN = 60_000;
const friday20 = presetCron("friday", "20:00");
const timing = (patch: Partial<ScheduleTiming> = {}): ScheduleTiming => ({
  cron: friday20.cron,
  timeZone: "Europe/Berlin",
  handledUntil: new Date("2026-10-22T00:00:00Z"),
  skipAt: null,
  graceMinutes: 120,
  reminderMinutes: null,
  ...patch,
});

describe("presets and cron", () => {
  it("turns a weekday and a time into cron and words", () => {
    expect(friday20).toEqual({ cron: "0 20 * * 5", label: "every Friday at 20:00" });
    expect(() => presetCron("friday", "25:00")).toThrow(/HH:MM/);
  });

  it("accepts five-field cron, refuses nonsense and anything more often than hourly", () => {
    expect(validateCron(" 30  19 * *  2 ", "UTC")).toBe("30 19 * * 2");
    expect(() => validateCron("0 20 * *", "UTC")).toThrow(/five fields/);
    expect(() => validateCron("0 99 * * *", "UTC")).toThrow(/cannot read|not a cron/);
    expect(() => validateCron("*/10 * * * *", "UTC")).toThrow(/at most hourly/);
  });
});

describe("nextTimes across daylight saving", () => {
  it("keeps Friday 20:00 Berlin at 20:00 local when the clocks go back (18:00Z, then 19:00Z)", () => {
    const times = nextTimes(friday20.cron, "Europe/Berlin", new Date("2026-10-20T00:00:00Z"), 3).map((d) =>
      d.toISOString(),
    );
    expect(times).toEqual(["2026-10-23T18:00:00.000Z", "2026-10-30T19:00:00.000Z", "2026-11-06T19:00:00.000Z"]);
  });

  it("and when they go forward in spring (19:00Z, then 18:00Z)", () => {
    const times = nextTimes(friday20.cron, "Europe/Berlin", new Date("2027-03-20T00:00:00Z"), 2).map((d) =>
      d.toISOString(),
    );
    expect(times).toEqual(["2027-03-26T19:00:00.000Z", "2027-04-02T18:00:00.000Z"]);
  });
});

describe("planWork", () => {
  const session = new Date("2026-10-23T18:00:00Z");

  it("before the session: nothing to do, wake at the session", () => {
    const plan = planWork(timing(), new Date("2026-10-23T17:00:00Z"));
    expect(plan).toMatchObject({ sessions: [], reminderFor: null, wakeAt: session });
  });

  it("at the session: post it, then wake for the next one", () => {
    const plan = planWork(timing(), new Date(session.getTime() + 30_000));
    expect(plan.sessions).toEqual([{ at: session, action: "post" }]);
    expect(plan.handledUntil).toEqual(session);
    expect(plan.wakeAt).toEqual(new Date("2026-10-30T19:00:00Z"));
  });

  it("after downtime within the grace period: post late; beyond it: record as missed", () => {
    expect(planWork(timing(), new Date(session.getTime() + 90 * MIN)).sessions).toEqual([
      { at: session, action: "late" },
    ]);
    expect(planWork(timing(), new Date(session.getTime() + 121 * MIN)).sessions).toEqual([
      { at: session, action: "missed" },
    ]);
  });

  it("after weeks of downtime: every old session missed, none posted in a burst", () => {
    const plan = planWork(timing({ handledUntil: new Date("2026-10-01T00:00:00Z") }), new Date("2026-11-20T12:00:00Z"));
    expect(plan.sessions.map((s) => s.action)).toEqual([
      "missed",
      "missed",
      "missed",
      "missed",
      "missed",
      "missed",
      "missed",
    ]);
  });

  it("a skipped session is recorded as skipped, and gets no reminder", () => {
    expect(planWork(timing({ skipAt: session }), new Date(session.getTime() + MIN)).sessions).toEqual([
      { at: session, action: "skipped" },
    ]);
    expect(
      planWork(timing({ skipAt: session, reminderMinutes: 60 }), new Date(session.getTime() - 30 * MIN)).reminderFor,
    ).toBeNull();
  });

  it("a reminder falls due before the session, and the loop wakes for it", () => {
    const early = planWork(timing({ reminderMinutes: 60 }), new Date(session.getTime() - 2 * 60 * MIN));
    expect(early).toMatchObject({ reminderFor: null, wakeAt: new Date(session.getTime() - 60 * MIN) });
    const due = planWork(timing({ reminderMinutes: 60 }), new Date(session.getTime() - 59 * MIN));
    expect(due).toMatchObject({ reminderFor: session, wakeAt: session });
  });
});
