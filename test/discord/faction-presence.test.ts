import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snowflake } from "../loopback/server.js";
import { callbackData, startTestBot, type TestBot } from "../support/bot-harness.js";

// End to end: members who leave the Discord server keep their faction history but stop counting in rosters, and
// count again when they come back; a restart catches up on whoever came or went while the bot was down.

const gina = { id: snowflake(), username: "gina" };
const hank = { id: snowflake(), username: "hank" };
const klingonRoleId = snowflake();
let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({
    guild: {
      roles: [{ id: klingonRoleId, name: "Klingon", position: 1, permissions: 0n }],
      members: [{ user: gina }, { user: hank }],
    },
  });
  await callbackData(t.command("faction-admin", "link-role", { faction: "kdf", role: klingonRoleId }));
  for (const user of [gina.id, hank.id]) {
    expect((await callbackData(t.command("faction", "join", { faction: "kdf" }, { user }))).content).toMatch(
      /^Welcome to \*\*Klingon Empire\*\*/,
    );
  }
});
afterAll(async () => {
  await t?.stop();
});

const db = () => t.bot.ctx.db.prisma;

/** Polls the database until the member's membership is (or is no longer) marked departed. */
async function departedAt(userId: string, departed: boolean): Promise<Date | null> {
  let found: Date | null = null;
  await pollUntil(async () => {
    const row = await db().factionMember.findFirst({ where: { guildId: t.guildId, userId } });
    found = row?.departedAt ?? null;
    return departed === (found !== null);
  });
  return found;
}

async function pollUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function rosterFooter(): Promise<string> {
  const data = await callbackData(t.command("faction", "roster", { faction: "kdf" }));
  return data.embeds[0].footer.text;
}

async function onThisServer(): Promise<string> {
  const data = await callbackData(t.command("faction", "info", { name: "kdf" }));
  return data.embeds[0].fields.find((f: { name: string }) => f.name === "On this server").value;
}

describe("a member leaves the Discord server and comes back", () => {
  it("on GUILD_MEMBER_REMOVE, the roster stops counting them and whois keeps their history", async () => {
    expect(await rosterFooter()).toBe("Page 1 of 1 · 2 members");
    expect(t.discord.removeMember(t.guildId, gina.id)).toBe(1);
    expect(await departedAt(gina.id, true)).toBeInstanceOf(Date);

    expect(await rosterFooter()).toBe("Page 1 of 1 · 1 member");
    const roster = await callbackData(t.command("faction", "roster", { faction: "kdf" }));
    expect(roster.embeds[0].description).not.toContain(gina.id);
    expect(await onThisServer()).toMatch(/^Members: 1\n/);
    const whois = await callbackData(t.command("faction", "whois", { member: gina.id }));
    expect(whois.embeds[0].description).toMatch(
      /\*\*Klingon Empire\*\* · joined <t:\d+:D> · away from the server since <t:\d+:D>/,
    );
    expect(whois.embeds[0].fields[0].value).toMatch(/left the Discord server \(memberships kept\)/);
    expect(whois.embeds[0].fields[0].value).toMatch(/joined \*\*Klingon Empire\*\*/);
  });

  it("on GUILD_MEMBER_ADD, they count again and get their faction role back", async () => {
    const since = t.discord.requests.length;
    expect(t.discord.addMember(t.guildId, { user: gina })).toBe(1);
    expect(await departedAt(gina.id, false)).toBeNull();
    expect(await rosterFooter()).toBe("Page 1 of 1 · 2 members");
    const put = await t.discord.waitForRequest(
      (r) =>
        t.discord.requests.indexOf(r) >= since &&
        r.method === "PUT" &&
        r.route.endsWith(`/${gina.id}/roles/${klingonRoleId}`),
      5000,
    );
    expect(put.status).toBe(204);
    expect(t.discord.memberObject(t.guildId, gina.id)?.roles).toEqual([klingonRoleId]);
    const events = await db().factionEvent.findMany({ where: { userId: gina.id }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["joined", "departed-server", "returned-server"]);
  });
});

describe("after a restart", () => {
  it("marks members who left while the bot was down as departed, and those who came back as present", async () => {
    t.discord.removeMember(t.guildId, gina.id);
    await departedAt(gina.id, true);
    await t.restart(() => {
      // While the bot is down: hank leaves, gina comes back. Nobody is there to receive the events.
      expect(t.discord.removeMember(t.guildId, hank.id)).toBe(0);
      expect(t.discord.addMember(t.guildId, { user: gina })).toBe(0);
    });
    expect(await departedAt(hank.id, true)).toBeInstanceOf(Date);
    expect(await departedAt(gina.id, false)).toBeNull();
    await pollUntil(async () => t.logs.some((line) => line.msg === "reconciled members after start"));
    expect(t.logs.find((line) => line.msg === "reconciled members after start")).toMatchObject({
      guildId: t.guildId,
      departed: 1,
      returned: 1,
    });
    expect(await rosterFooter()).toBe("Page 1 of 1 · 1 member");
    const roster = await callbackData(t.command("faction", "roster", { faction: "kdf" }));
    expect(roster.embeds[0].description).toContain(`<@${gina.id}>`);
    expect(roster.embeds[0].description).not.toContain(`<@${hank.id}>`);
  });
});
