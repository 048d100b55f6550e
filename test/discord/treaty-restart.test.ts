import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modalSubmit } from "../loopback/interactions.js";
import { callbackData, ManualClock, startTestBot, type TestBot } from "../support/bot-harness.js";

// A restart in the middle of a vote: ballots stay, voting goes on, and the deadline closes it exactly once.

const clock = new ManualClock();
let t: TestBot;

const VOTERS = ["800000000000000001", "800000000000000002"];

beforeAll(async () => {
  // The voters are members of the Discord server: the reconcile after the restart must find them there.
  t = await startTestBot({
    clock,
    guild: { members: VOTERS.map((id, i) => ({ user: { id, username: `voter${i}` } })) },
  });
});
afterAll(async () => {
  await t?.stop();
});

/** /treaty propose between the Deferi and the server's voters, through the form; returns the treaty row. */
async function propose(window: string, title: string, terms: string) {
  const open = await t.command("treaty", "propose", { "party-1": "deferi", window }).callback;
  const submitted = await callbackData(
    t.discord.interact(
      modalSubmit({
        discord: t.discord,
        guildId: t.guildId,
        channelId: t.channelId,
        user: t.alice.id,
        modal: open.data as never,
        fields: { title, terms },
      }),
    ),
  );
  const number = Number(/Treaty #(\d+)/.exec(JSON.stringify(submitted))?.[1]);
  return t.bot.ctx.db.prisma.treaty.findUniqueOrThrow({ where: { guildId_number: { guildId: t.guildId, number } } });
}

describe("a bot restarted mid-vote", () => {
  it("loses no ballot and closes the vote once at its deadline", async () => {
    const prisma = () => t.bot.ctx.db.prisma;
    const members = [t.alice.id, t.bob.id, ...VOTERS];
    const entry = t.bot.ctx.lore.bySlug("deferi", null)!;
    const deferi = await t.bot.ctx.factions.materialize((await t.bot.ctx.factions.forEntry(t.guildId, entry))!);
    await prisma().factionMember.createMany({
      data: members.map((userId) => ({ guildId: t.guildId, userId, factionId: deferi.id!, slot: 0 })),
    });

    const treaty = await propose("2h", "Defera Compact", "Defera stays open to all members.");
    const message = () => t.discord.message(treaty.messageId!)!;
    await t.click(message(), `treaty-vote:${treaty.id}:aye`).callback;
    await t.click(message(), `treaty-vote:${treaty.id}:nay`, { user: t.bob.id }).callback;

    await t.restart();

    expect(await prisma().ballot.count({ where: { treatyId: treaty.id } })).toBe(2);
    const third = await callbackData(t.click(message(), `treaty-vote:${treaty.id}:aye`, { user: members[2] }));
    expect(third.content).toMatch(/^Your ballot on Treaty #1: \*\*Aye\*\*/);
    clock.advance(2 * 3_600_000 + 1000);
    await t.bot.ctx.jobs.poke();
    await t.bot.ctx.jobs.poke();

    expect(await prisma().treaty.findUniqueOrThrow({ where: { id: treaty.id } })).toMatchObject({
      status: "ratified",
      summary: "Ratified 2-1.",
      closeReason: "deadline",
    });
    const results = t.discord
      .messages(t.channelId)
      .filter((m) => m.content.startsWith("**Treaty #1: Defera Compact**"));
    expect(results).toHaveLength(1);
    const job = await prisma().scheduledJob.findUniqueOrThrow({ where: { key: `treaty-close:${treaty.id}` } });
    expect(job).toMatchObject({ status: "done", attempts: 1 });
  });

  it("a close a crash cut short after deciding is finished by the deadline job: result posted once, lore made", async () => {
    const prisma = () => t.bot.ctx.db.prisma;
    const treaty = await propose("1h", "Orbital Watch", "Each member keeps watch in turn.");
    await t.click(t.discord.message(treaty.messageId!)!, `treaty-vote:${treaty.id}:aye`).callback;
    // What a process that died after writing the decision, before posting it, leaves behind: the treaty decided
    // by an admin's close, no result message, no lore, and the deadline job still queued.
    await prisma().treaty.update({
      where: { id: treaty.id },
      data: { status: "ratified", summary: "Ratified 1-0.", closeReason: "admin", closedAt: clock.now() },
    });
    const resultsOf = () =>
      t.discord.messages(t.channelId).filter((m) => m.content.startsWith("**Treaty #2: Orbital Watch**"));
    expect(resultsOf()).toHaveLength(0);

    clock.advance(3_600_000 + 1000);
    await t.bot.ctx.jobs.poke();
    await t.bot.ctx.jobs.poke();
    expect(resultsOf()).toHaveLength(1);
    const finished = await prisma().treaty.findUniqueOrThrow({ where: { id: treaty.id } });
    expect(finished.resultMessageId).toBe(resultsOf()[0]?.id);
    expect(finished.loreEntryId).not.toBeNull();
    // Asked again (another process's late job), it has nothing left to do.
    await t.bot.ctx.treaties.closeByDeadline(t.guildId, treaty.id);
    expect(resultsOf()).toHaveLength(1);
  });
});
