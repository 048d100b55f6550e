import type { APIMessage } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snowflake } from "../loopback/server.js";
import { callbackData, startTestBot, type TestBot } from "../support/bot-harness.js";

// End to end: one server can neither read nor change another's factions, memberships, requests or settings, whatever
// ids it sends. Server A is "Khitomer Fleet" (alice owns it); server B is "Other Fleet" (bob owns it).

const EPHEMERAL = 64;
const dave = { id: snowflake(), username: "dave" };
let t: TestBot;
let inB: { guildId: string; channelId: string; user: string };
let shadowEntryId: string;
let shadowFactionId: string;
let requestId: string;

beforeAll(async () => {
  t = await startTestBot({ guild: { members: [{ user: dave }] } });
  inB = { guildId: t.otherGuildId, channelId: t.otherChannelId, user: t.bob.id };
  // Server A: a server-made faction that needs approval, a leader, and a pending request.
  await callbackData(t.command("faction-admin", "create", { name: "Shadow Wing", description: "A's secret" }));
  const choice = (await callbackData(t.autocomplete("faction", "info", "name", "shadow wing"))).choices[0];
  expect(choice.name).toMatch(/^Shadow Wing/);
  shadowEntryId = choice.value;
  expect((await callbackData(t.command("faction", "join", { faction: shadowEntryId }))).content).toBe(
    "Welcome to **Shadow Wing**.",
  );
  await callbackData(t.command("faction-admin", "require-approval", { faction: shadowEntryId }));
  await callbackData(t.command("faction", "join", { faction: shadowEntryId }, { user: dave.id }));
  const faction = await db().serverFaction.findFirst({ where: { guildId: t.guildId, name: "Shadow Wing" } });
  shadowFactionId = faction!.id;
  requestId = (await db().joinRequest.findFirst({ where: { guildId: t.guildId, userId: dave.id } }))!.id;
});
afterAll(async () => {
  await t?.stop();
});

const db = () => t.bot.ctx.db.prisma;

/** A message in server B carrying a button with a crafted custom id, as a modified client could send. */
function craftedMessage(customId: string): APIMessage {
  const real = t.discord.messages(t.channelId).at(-1)!;
  return {
    ...real,
    channel_id: t.otherChannelId,
    components: [{ type: 1, components: [{ type: 2, style: 2, label: "Go", custom_id: customId }] }],
  } as APIMessage;
}

describe("server B cannot see server A's factions", () => {
  it("autocomplete in B offers nothing of A's", async () => {
    for (const sub of ["info", "join", "roster"]) {
      const focused = sub === "info" ? "name" : "faction";
      const data = await callbackData(t.autocomplete("faction", sub, focused, "shadow", inB));
      expect(data.choices.map((c: { name: string }) => c.name).join()).not.toMatch(/Shadow Wing/);
      expect(data.choices.map((c: { value: string }) => c.value)).not.toContain(shadowEntryId);
    }
    const admin = await callbackData(t.autocomplete("faction-admin", "archive", "faction", "shadow", inB));
    expect(admin.choices.map((c: { value: string }) => c.value)).not.toContain(shadowEntryId);
  });

  it("/faction info in B, by name or by A's entry id, does not show A's faction", async () => {
    for (const name of ["Shadow Wing", shadowEntryId]) {
      const data = await callbackData(t.command("faction", "info", { name }, inB));
      expect(data).toMatchObject({
        flags: EPHEMERAL,
        content: expect.stringMatching(/^Nothing in the lore matches “/),
      });
      expect(data.embeds ?? []).toEqual([]);
      expect(JSON.stringify(data)).not.toContain("A's secret");
    }
  });

  it("B cannot join A's faction with A's entry id, nor see its roster", async () => {
    const join = await callbackData(t.command("faction", "join", { faction: shadowEntryId }, inB));
    expect(join.flags).toBe(EPHEMERAL);
    expect(join.content).not.toMatch(/Welcome|Shadow Wing/);
    const roster = await callbackData(t.command("faction", "roster", { faction: shadowEntryId }, inB));
    expect(JSON.stringify(roster)).not.toMatch(/Shadow Wing|<@\d+>/);
    expect(await db().factionMember.count({ where: { userId: t.bob.id } })).toBe(0);
    expect(await db().serverFaction.count({ where: { guildId: t.otherGuildId, name: "Shadow Wing" } })).toBe(0);
  });

  it("a crafted roster page button in B with A's faction id shows nothing of A", async () => {
    const expires = (Date.now() + 60_000).toString(36);
    const customId = `roster-page:${t.bob.id}:0:${expires}:${shadowFactionId}`;
    const data = await callbackData(t.click(craftedMessage(customId), customId, inB));
    expect(data).toMatchObject({ flags: EPHEMERAL, content: "That faction no longer exists on this server." });
    expect(JSON.stringify(data)).not.toContain(t.alice.id);
  });

  it("whois and the audit log in B show nothing of A", async () => {
    const whois = await callbackData(t.command("faction", "whois", { member: t.bob.id }, inB));
    expect(whois.embeds[0].description).toContain("Belongs to no faction on this server.");
    const log = await callbackData(t.command("faction-admin", "log", {}, inB));
    expect(log.embeds[0].description).not.toMatch(/Shadow Wing|<@\d+> joined/);
  });
});

describe("server B cannot change server A", () => {
  it("a crafted Approve or Withdraw button in B with A's request id decides nothing", async () => {
    for (const action of ["approve", "deny", "cancel"]) {
      const customId = `join-request:${action}:${requestId}`;
      const data = await callbackData(t.click(craftedMessage(customId), customId, inB));
      expect(data.flags).toBe(EPHEMERAL);
      expect(data.content).toMatch(
        /^(This request no longer exists\.|Only the member who asked can withdraw this request\.)$/,
      );
    }
    expect((await db().joinRequest.findUnique({ where: { id: requestId } }))?.status).toBe("pending");
    expect(await db().factionMember.count({ where: { userId: dave.id } })).toBe(0);
  });

  it("admin commands in B given A's faction id change nothing in A", async () => {
    for (const sub of ["archive", "close", "allow"]) {
      const data = await callbackData(t.command("faction-admin", sub, { faction: shadowEntryId }, inB));
      expect(data.flags).toBe(EPHEMERAL);
      expect(data.content).not.toMatch(/Shadow Wing/);
    }
    const edit = await callbackData(
      t.command("faction-admin", "edit", { faction: shadowEntryId, notes: "pwned" }, inB),
    );
    expect(edit.content).not.toMatch(/Saved/);
    const remove = await callbackData(t.command("faction-admin", "remove", { member: t.alice.id }, inB));
    expect(remove.content).toBe(`<@${t.alice.id}> belongs to no faction.`);
    const row = await db().serverFaction.findUnique({ where: { id: shadowFactionId } });
    expect(row).toMatchObject({ archivedAt: null, joinPolicy: "approval", notes: "" });
    expect(await db().factionMember.count({ where: { guildId: t.guildId, userId: t.alice.id } })).toBe(1);
  });

  it("/config in B does not change A's settings", async () => {
    await callbackData(t.command("config", "max-factions", { count: 5 }, inB));
    expect((await callbackData(t.command("config", "join-policy", { policy: "approval" }, inB))).content).toBe(
      "Canon factions without their own setting are now open only with approval.",
    );
    await callbackData(t.command("config", "join-policy", { policy: "closed" }, inB));
    await callbackData(t.command("config", "timezone", { zone: "Europe/Berlin" }, inB));
    const b = await db().guildSettings.findUnique({ where: { guildId: t.otherGuildId } });
    expect(b).toMatchObject({ maxFactions: 5, canonJoinPolicy: "closed", timezone: "Europe/Berlin" });
    expect(await db().guildSettings.findUnique({ where: { guildId: t.guildId } })).toBeNull();
    const shown = await callbackData(t.command("config", "show", {}));
    const fields = Object.fromEntries(
      shown.embeds[0].fields.map((f: { name: string; value: string }) => [f.name, f.value]),
    );
    expect(fields).toMatchObject({ "Factions per member": "1", "Canon factions": "open to all", "Time zone": "UTC" });
    // A's canon factions stay open while B's are closed.
    expect((await callbackData(t.command("faction", "join", { faction: "Talaxian" }, { user: dave.id }))).content).toBe(
      "Welcome to **Talaxian**.",
    );
    expect((await callbackData(t.command("faction", "join", { faction: "Talaxian" }, inB))).content).toBe(
      "Talaxian is closed to new members on this server.",
    );
  });
});
