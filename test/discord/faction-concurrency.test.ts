import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snowflake } from "../loopback/server.js";
import { callbackData, startTestBot, type TestBot } from "../support/bot-harness.js";

// End to end: the same member clicking faster than the bot answers. Every interaction gets an answer, and the
// database (unique guild+user+slot and guild+user+faction) keeps memberships consistent whatever the order.

const EPHEMERAL = 64;
// Wait as long as Discord does (3 s, enforced by the loopback) before calling an interaction unanswered: a busy
// test machine can take more than the harness's default 2 s for 20 answers at once.
const DEADLINE = { timeoutMs: 3000 };
const ivan = { id: snowflake(), username: "ivan" };
const jill = { id: snowflake(), username: "jill" };
const crowd = Array.from({ length: 12 }, (_, i) => ({ id: snowflake(), username: `crew-${i}` }));
let t: TestBot;
let openFactions: { name: string; value: string }[];

beforeAll(async () => {
  t = await startTestBot({ guild: { members: [{ user: ivan }, { user: jill }, ...crowd.map((user) => ({ user }))] } });
  openFactions = (await callbackData(t.autocomplete("faction", "join", "faction", "", { user: ivan.id }))).choices;
  expect(openFactions.length).toBeGreaterThanOrEqual(23);
});
afterAll(async () => {
  await t?.stop();
});

/** No interaction ended in the apology path: every refusal was a rule the member is told. */
function expectNoCrashes() {
  expect(t.logs.filter((line) => line.msg === "interaction failed")).toEqual([]);
}

const db = () => t.bot.ctx.db.prisma;

describe("simultaneous joins and leaves", () => {
  it("20 joins at once into different open factions, with a limit of 1: one membership, every one answered", async () => {
    const handles = openFactions
      .slice(0, 20)
      .map((choice) => t.command("faction", "join", { faction: choice.value }, { user: ivan.id }, DEADLINE));
    const answers = await Promise.all(handles.map(callbackData));
    for (const data of answers) expect(data.flags).toBe(EPHEMERAL);
    const welcomes = answers.filter((data) => data.content.startsWith("Welcome to"));
    expect(welcomes).toHaveLength(1);
    for (const data of answers.filter((a) => !welcomes.includes(a)))
      expect(data.content).toMatch(
        /^(You already belong to a faction on this server\.|Your membership changed while this was being done\.)/,
      );
    const rows = await db().factionMember.findMany({
      where: { guildId: t.guildId, userId: ivan.id },
      include: { faction: true },
    });
    expect(rows).toHaveLength(1);
    expect(welcomes[0]!.content).toBe(`Welcome to **${rows[0]!.faction.name}**.`);
    const joined = await db().factionEvent.count({ where: { userId: ivan.id, action: "joined" } });
    expect(joined).toBe(1);
    expectNoCrashes();
  });

  it("a leave and a join at once end consistent with what each was told", async () => {
    for (let round = 0; round < 3; round += 1) {
      await db().factionMember.deleteMany({ where: { userId: jill.id } });
      const start = await callbackData(
        t.command("faction", "join", { faction: openFactions[0]!.value }, { user: jill.id }),
      );
      expect(start.content).toMatch(/^Welcome to/);
      const [left, joined] = await Promise.all([
        callbackData(t.command("faction", "leave", {}, { user: jill.id }, DEADLINE)),
        callbackData(t.command("faction", "join", { faction: openFactions[1]!.value }, { user: jill.id }, DEADLINE)),
      ]);
      const rows = await db().factionMember.findMany({
        where: { guildId: t.guildId, userId: jill.id },
        include: { faction: true },
      });
      expect(left.content).toBe(`You left **${openFactions[0]!.name}**.`);
      if (joined.content.startsWith("Welcome to"))
        expect(rows.map((r) => r.faction.name)).toEqual([openFactions[1]!.name]);
      else {
        expect(joined.content).toMatch(/^(You already belong to a faction|Your membership changed)/);
        expect(rows).toEqual([]);
      }
    }
    expectNoCrashes();
  });

  it("many members joining the same faction nobody configured yet: one faction row, every member in", async () => {
    // Not one of the 20 above, so nobody is in it yet.
    const target = openFactions[22]!;
    const answers = await Promise.all(
      crowd.map((user) =>
        callbackData(t.command("faction", "join", { faction: target.value }, { user: user.id }, DEADLINE)),
      ),
    );
    for (const data of answers) expect(data.content).toMatch(/^Welcome to/);
    const factions = await db().serverFaction.findMany({ where: { guildId: t.guildId, name: target.name } });
    expect(factions).toHaveLength(1);
    expect(await db().factionMember.count({ where: { factionId: factions[0]!.id } })).toBe(crowd.length);
    expectNoCrashes();
  });
});
