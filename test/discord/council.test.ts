import { afterEach, describe, expect, it } from "vitest";
import type { RunningBot } from "../../src/app.js";
import { callbackData, ManualClock, startTestBot, type TestBot } from "../support/bot-harness.js";

// Council sessions end to end: the real bot, the loopback Discord, a clock moved by hand and the real job loop.
// Times: Friday 20:00 in Berlin is 18:00 UTC until the clocks go back on 25 October 2026, 19:00 UTC after.

const MIN = 60_000;
const FIRST = new Date("2026-10-23T18:00:00Z");
const AFTER_DST = new Date("2026-10-30T19:00:00Z");
const SECOND_CHANNEL = "710000000000000001";
const EPHEMERAL = 64;
const unix = (d: Date) => Math.floor(d.getTime() / 1000);

let t: TestBot | undefined;
const extraBots: RunningBot[] = [];
afterEach(async () => {
  for (const bot of extraBots.splice(0)) await bot.stop();
  await t?.stop();
  t = undefined;
});

async function start(clock: ManualClock) {
  t = await startTestBot({ clock, guild: { channels: [{ id: SECOND_CHANNEL, name: "embassy" }] } });
  return t;
}

async function schedule(bot: TestBot, options: Record<string, string | number | boolean> = {}) {
  return callbackData(
    bot.command("council", "schedule", {
      channel: bot.channelId,
      weekday: "friday",
      time: "20:00",
      timezone: "Europe/Berlin",
      ...options,
    }),
  );
}

const sessions = (bot: TestBot) =>
  bot.discord.messages(bot.channelId).filter((m) => m.embeds[0]?.title === "The Khitomer Council convenes");

async function moveTo(bot: TestBot, clock: ManualClock, when: Date) {
  clock.advance(when.getTime() - clock.now().getTime());
  await bot.bot.ctx.jobs.poke();
  await bot.bot.ctx.jobs.poke();
}

describe("council sessions", () => {
  it("are announced at 20:00 Berlin time on both sides of the daylight-saving change", async () => {
    const clock = new ManualClock(new Date("2026-10-20T12:00:00Z"));
    const bot = await start(clock);
    const reply = await schedule(bot);
    expect(reply).toMatchObject({
      flags: EPHEMERAL,
      content: expect.stringContaining(`every Friday at 20:00 (Europe/Berlin)`),
    });
    expect(reply.content).toContain(`<t:${unix(FIRST)}:F>`);

    await moveTo(bot, clock, new Date(FIRST.getTime() - MIN));
    expect(sessions(bot)).toHaveLength(0);
    await moveTo(bot, clock, new Date(FIRST.getTime() + 20_000));
    expect(sessions(bot)).toHaveLength(1);
    expect(sessions(bot)[0]?.embeds[0]?.description).toContain(`<t:${unix(FIRST)}:F>`);

    await moveTo(bot, clock, new Date(AFTER_DST.getTime() + 20_000));
    const all = sessions(bot);
    expect(all).toHaveLength(2);
    expect(all[1]?.embeds[0]?.description).toContain(`<t:${unix(AFTER_DST)}:F>`);
    expect(all.every((m) => m.mention_everyone === false && m.mention_roles.length === 0)).toBe(true);
  });

  it("post a reminder before the session, mention only the chosen role, and carry the agenda", async () => {
    const clock = new ManualClock(new Date("2026-10-20T12:00:00Z"));
    const bot = await start(clock);
    const role = "720000000000000001";
    await schedule(bot, { reminder: 60, mention: role });
    const note = await callbackData(
      bot.command("council", "agenda add", { note: "Discuss the @everyone Tholian border <@&1>" }),
    );
    expect(note.content).toMatch(/1 note waits/);

    await moveTo(bot, clock, new Date(FIRST.getTime() - 59 * MIN));
    const reminder = bot.discord
      .messages(bot.channelId)
      .find((m) => m.content.startsWith("Reminder: the Khitomer Council convenes"));
    expect(reminder?.content).toContain(`<t:${unix(FIRST)}:R>`);
    expect(sessions(bot)).toHaveLength(0);

    await moveTo(bot, clock, FIRST);
    const [session] = sessions(bot);
    expect(session?.content).toBe(`<@&${role}>`);
    expect(session?.mention_roles).toEqual([role]);
    const request = bot.discord.requests.find(
      (r) =>
        r.method === "POST" &&
        (r.body as { embeds?: { title?: string }[] })?.embeds?.[0]?.title === "The Khitomer Council convenes",
    );
    expect((request!.body as { allowed_mentions: unknown }).allowed_mentions).toEqual({ parse: [], roles: [role] });
    const notes = session?.embeds[0]?.fields?.find((f) => f.name === "Notes from the council")?.value ?? "";
    expect(notes).toContain("Discuss the @\u2060everyone Tholian border");
    await moveTo(bot, clock, AFTER_DST);
    expect(sessions(bot)[1]?.embeds[0]?.fields?.find((f) => f.name === "Notes from the council")?.value).toBe("None.");
  });

  it("skip leaves out the next session only; pause posts nothing and resume starts from then", async () => {
    const clock = new ManualClock(new Date("2026-10-20T12:00:00Z"));
    const bot = await start(clock);
    await schedule(bot);
    const skipped = await callbackData(bot.command("council", "skip"));
    expect(skipped.content).toContain(`<t:${unix(FIRST)}:F>`);
    await moveTo(bot, clock, new Date(FIRST.getTime() + MIN));
    expect(sessions(bot)).toHaveLength(0);
    await moveTo(bot, clock, new Date(AFTER_DST.getTime() + MIN));
    expect(sessions(bot)).toHaveLength(1);

    await callbackData(bot.command("council", "pause"));
    await moveTo(bot, clock, new Date("2026-11-06T19:01:00Z"));
    expect(sessions(bot)).toHaveLength(1);
    await callbackData(bot.command("council", "resume"));
    await bot.bot.ctx.jobs.poke();
    expect(sessions(bot)).toHaveLength(1);
    await moveTo(bot, clock, new Date("2026-11-13T19:00:30Z"));
    expect(sessions(bot)).toHaveLength(2);

    const status = await callbackData(bot.command("council", "status"));
    const recent = status.embeds[0].fields.find((f: { name: string }) => f.name === "Recent runs").value;
    expect(recent).toMatch(new RegExp(`<t:${unix(FIRST)}:f> session: \\*\\*skipped\\*\\*`));
  });

  it("after downtime: posts late within the grace period, records older sessions as missed, never a burst", async () => {
    const clock = new ManualClock(new Date("2026-10-20T12:00:00Z"));
    const bot = await start(clock);
    await schedule(bot);
    await bot.restart(() => clock.advance(FIRST.getTime() + 90 * MIN - clock.now().getTime()));
    await bot.bot.ctx.jobs.poke();
    const [late] = sessions(bot);
    expect(late?.embeds[0]?.description).toMatch(/Posted late/);

    await bot.restart(() => clock.advance(new Date("2026-11-13T22:00:00Z").getTime() - clock.now().getTime()));
    await bot.bot.ctx.jobs.poke();
    await bot.bot.ctx.jobs.poke();
    expect(sessions(bot)).toHaveLength(1);
    const rows = await bot.bot.ctx.db.prisma.councilOccurrence.findMany({
      where: { guildId: bot.guildId },
      orderBy: { scheduledFor: "asc" },
    });
    expect(rows.map((r) => [r.scheduledFor.toISOString(), r.status, r.late])).toEqual([
      [FIRST.toISOString(), "posted", true],
      ["2026-10-30T19:00:00.000Z", "missed", false],
      ["2026-11-06T19:00:00.000Z", "missed", false],
      ["2026-11-13T19:00:00.000Z", "missed", false],
    ]);
    const status = await callbackData(bot.command("council", "status"));
    expect(status.embeds[0].fields.find((f: { name: string }) => f.name === "Recent runs").value).toMatch(
      /\*\*missed\*\* — the bot was down past the grace period/,
    );
  });

  it("with two bot processes on one database, posts each session exactly once", async () => {
    const clock = new ManualClock(new Date("2026-10-20T12:00:00Z"));
    const bot = await start(clock);
    await schedule(bot, { reminder: 30 });
    const other = await bot.launchAnother();
    extraBots.push(other);
    for (const when of [
      new Date(FIRST.getTime() - 30 * MIN),
      FIRST,
      new Date(AFTER_DST.getTime() - 30 * MIN),
      AFTER_DST,
    ]) {
      clock.advance(when.getTime() - clock.now().getTime());
      await Promise.all([
        bot.bot.ctx.jobs.poke(),
        other.ctx.jobs.poke(),
        bot.bot.ctx.jobs.poke(),
        other.ctx.jobs.poke(),
      ]);
    }
    expect(sessions(bot)).toHaveLength(2);
    expect(bot.discord.messages(bot.channelId).filter((m) => m.content.startsWith("Reminder:"))).toHaveLength(2);
  });

  it("a deleted channel disables the schedule, tells the admins elsewhere, and leaves other servers alone", async () => {
    const clock = new ManualClock(new Date("2026-10-20T12:00:00Z"));
    const bot = await start(clock);
    await schedule(bot);
    await callbackData(
      bot.command(
        "council",
        "schedule",
        { channel: bot.otherChannelId, weekday: "friday", time: "20:00", timezone: "Europe/Berlin" },
        { guildId: bot.otherGuildId, channelId: bot.otherChannelId, user: bot.bob.id, memberPermissions: "32" },
      ),
    );
    bot.discord.removeChannel(bot.guildId, bot.channelId);
    await moveTo(bot, clock, FIRST);
    const schedule_ = await bot.bot.ctx.db.prisma.councilSchedule.findUniqueOrThrow({
      where: { guildId: bot.guildId },
    });
    expect(schedule_).toMatchObject({ status: "disabled", disabledReason: "the council channel no longer exists" });
    const alerts = [...bot.discord.messages(SECOND_CHANNEL), ...bot.discord.directMessages(bot.alice.id)];
    const alert = alerts.find((m) => m.content.includes("The council schedule is paused"));
    expect(alert?.content).toMatch(/the council channel no longer exists.*\/council resume/);
    expect(
      bot.discord.messages(bot.otherChannelId).filter((m) => m.embeds[0]?.title === "The Khitomer Council convenes"),
    ).toHaveLength(1);
  });

  it("keeps a Discord scheduled event on the next session, and removes it when paused", async () => {
    // Discord refuses events in the past by the real clock, so this test lives a year ahead.
    const first = new Date("2027-10-29T18:00:00Z");
    const next = new Date("2027-11-05T19:00:00Z");
    const clock = new ManualClock(new Date("2027-10-26T12:00:00Z"));
    const bot = await start(clock);
    await schedule(bot, { events: true });
    const [event] = bot.discord.scheduledEvents(bot.guildId);
    expect(event).toMatchObject({
      name: "Khitomer Council session",
      scheduled_start_time: first.toISOString(),
      entity_type: 3,
    });
    await moveTo(bot, clock, first);
    expect(bot.discord.scheduledEvents(bot.guildId).map((e) => e.scheduled_start_time)).toEqual([next.toISOString()]);
    await callbackData(bot.command("council", "pause"));
    expect(bot.discord.scheduledEvents(bot.guildId)).toEqual([]);
  });

  it("refuses non-admins, an @everyone mention, and schedules more often than hourly", async () => {
    const clock = new ManualClock(new Date("2026-10-20T12:00:00Z"));
    const bot = await start(clock);
    const member = await callbackData(
      bot.command(
        "council",
        "schedule",
        { channel: bot.channelId, weekday: "friday", time: "20:00" },
        { user: bot.bob.id, memberPermissions: "0" },
      ),
    );
    expect(member.content).toMatch(/Manage Server/);
    const everyone = await schedule(bot, { mention: bot.guildId });
    expect(everyone.content).toMatch(/never mention @everyone/);
    const often = await callbackData(
      bot.command("council", "schedule", { channel: bot.channelId, cron: "*/15 * * * *" }),
    );
    expect(often.content).toMatch(/at most hourly/);
  });
});
