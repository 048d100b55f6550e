import { PermissionFlagsBits } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snowflake } from "../loopback/server.js";
import { callbackData, startTestBot, type TestBot } from "../support/bot-harness.js";

// End to end: server-made factions, join policies, moderation and the audit trail, as an admin (alice owns the
// server), a council-role member (carol) and a plain member (bob) would use them.

const EPHEMERAL = 64;
const carol = { id: snowflake(), username: "carol" };
const dave = { id: snowflake(), username: "dave" };
const councilRoleId = snowflake();
const wingRoleId = snowflake();
let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({
    guild: {
      roles: [
        { id: councilRoleId, name: "Council", position: 2, permissions: 0n },
        { id: wingRoleId, name: "Red Talon", position: 1, permissions: 0n },
      ],
      members: [{ user: carol, roles: [councilRoleId] }, { user: dave }],
    },
  });
});
afterAll(async () => {
  await t?.stop();
});

const db = () => t.bot.ctx.db.prisma;

async function answer(name: string, sub: string, values: Record<string, string | number | boolean>, user = t.alice.id) {
  const data = await callbackData(t.command(name, sub, values, { user }));
  expect(data.flags).toBe(EPHEMERAL);
  return data.content as string;
}

function field(embed: { fields: { name: string; value: string }[] }, name: string): string | undefined {
  return embed.fields.find((f) => f.name === name)?.value;
}

describe("/faction-admin create", () => {
  it("creates a faction based on a canon one: its card shows “Based on” and the inherited quadrant", async () => {
    const base = (await callbackData(t.autocomplete("faction-admin", "create", "based-on", "klingon empire"))).choices;
    const klingon = base.find((c: { name: string }) => c.name.startsWith("Klingon Empire —"));
    const content = await answer("faction-admin", "create", {
      name: "  Red   Talon Wing ",
      "based-on": klingon.value,
      description: "Raiders of the Hromi Cluster.",
      colour: "#c0392b",
    });
    expect(content).toBe(
      "Created **Red Talon Wing**, based on Klingon Empire. Members can join it with `/faction join`.",
    );
    const row = await db().serverFaction.findFirst({ where: { guildId: t.guildId, name: "Red Talon Wing" } });
    expect(row).toMatchObject({ isCanon: false, canonSlug: "klingon-empire", color: 0xc0392b, createdBy: t.alice.id });

    const card = await callbackData(t.command("faction", "info", { name: "red talon wing" }, { user: t.bob.id }));
    const [embed] = card.embeds;
    expect(embed.title).toBe("Red Talon Wing");
    expect(embed.color).toBe(0xc0392b);
    expect(field(embed, "Based on")).toBe("Klingon Empire");
    expect(field(embed, "Quadrant")).toBe("Beta Quadrant");
    expect(embed.description).toMatch(/^Raiders of the Hromi Cluster\./);
    expect(field(embed, "On this server")).toBe("Members: 0\nLeaders: none yet\nJoining: open to all");
    expect(embed.footer.text).toMatch(/^This server's lore/);
  });

  it("given a base that names several canon factions, asks which one instead of saying none exists", async () => {
    expect(await answer("faction-admin", "create", { name: "Black Fleet", "based-on": "Kazon" })).toMatch(
      /^Which canon faction do you mean: Kazon, Kazon-Ogla\b.*\? Pick one from the suggestions\.$/,
    );
    expect(await answer("faction-admin", "create", { name: "Black Fleet", "based-on": "qwxzv" })).toBe(
      "No canon faction has that name. Pick one from the suggestions.",
    );
    expect(await db().serverFaction.count({ where: { guildId: t.guildId, name: "Black Fleet" } })).toBe(0);
  });

  it("refuses a duplicate name, whatever its case or spacing, and a canon faction's name", async () => {
    expect(await answer("faction-admin", "create", { name: "red talon  WING" })).toBe(
      "This server already has a faction called Red Talon Wing.",
    );
    expect(await answer("faction-admin", "create", { name: "Cardassian Union" })).toBe(
      "Cardassian Union is a canon faction already. Open it with `/faction-admin allow`, or pick another name.",
    );
    expect(await db().serverFaction.count({ where: { guildId: t.guildId, isCanon: false } })).toBe(1);
  });

  it.each([
    ["a user mention", "<@123456789012345678> Wing", /^Faction names may use letters, digits, spaces/],
    ["a role mention", "Wing <@&123456789012345678>", /^Faction names may use letters, digits, spaces/],
    ["@everyone", "@everyone Wing", /^Faction names may use letters, digits, spaces/],
    ["markdown", "**Bold** Wing", /^Faction names may use letters, digits, spaces/],
    ["a masked link", "[Wing](https://example.com)", /^Faction names may use letters, digits, spaces/],
    ["a zero-width space", "Ghost\u200bWing", /^Faction names cannot contain invisible or control characters\.$/],
    [
      "a right-to-left override",
      "\u202eGniw Tsohg",
      /^Faction names cannot contain invisible or control characters\.$/,
    ],
    ["61 characters", "W".repeat(61), /^A faction name can have at most 60 characters\.$/],
    ["one character", " W ", /^A faction name needs at least 2 characters\.$/],
  ])("refuses a name with %s, clearly and privately, and echoes none of it", async (_what, name, message) => {
    const data = await callbackData(t.command("faction-admin", "create", { name }));
    expect(data.flags).toBe(EPHEMERAL);
    expect(data.content).toMatch(message);
    expect(data.content).not.toContain(name.trim());
    expect(data.allowed_mentions).toEqual({ parse: [], replied_user: false });
    expect(await db().serverFaction.count({ where: { guildId: t.guildId, isCanon: false } })).toBe(1);
  });
});

describe("/faction-admin edit and archive", () => {
  it("renames and edits a server-made faction; a canon faction keeps its name", async () => {
    expect(
      await answer("faction-admin", "edit", {
        faction: "Red Talon Wing",
        name: "Red Claw Wing",
        notes: "Recruiting pilots",
        emoji: "⚔️",
      }),
    ).toBe("Saved **⚔️ Red Claw Wing**.");
    const card = await callbackData(t.command("faction", "info", { name: "Red Claw Wing" }));
    expect(card.embeds[0].title).toBe("Red Claw Wing");
    expect(field(card.embeds[0], "Server notes")).toBe("Recruiting pilots");
    const gone = await callbackData(t.command("faction", "info", { name: "Red Talon Wing" }));
    expect(gone.embeds?.[0]?.title).not.toBe("Red Talon Wing");

    expect(await answer("faction-admin", "edit", { faction: "Cardassian Union", name: "Obsidian Union" })).toBe(
      "Canon factions keep their names; create your own faction to use another.",
    );
    expect(await answer("faction-admin", "edit", { faction: "Red Claw Wing", name: "Cardassian Union" })).toMatch(
      /^Cardassian Union is a canon faction already/,
    );
    expect(await answer("faction-admin", "edit", { faction: "Red Claw Wing", name: "<#123456789012345678>" })).toMatch(
      /^Faction names may use letters/,
    );
    expect(await answer("faction-admin", "edit", { faction: "Red Claw Wing" })).toBe(
      "Say what to change: name, description, notes, colour or emoji.",
    );
  });

  it("archives: joining is refused, the roster stays readable and the linked role is taken back", async () => {
    expect(await answer("faction-admin", "link-role", { faction: "Red Claw Wing", role: wingRoleId })).toBe(
      `Members of **⚔️ Red Claw Wing** now get <@&${wingRoleId}>; I will touch no other role.`,
    );
    expect(await answer("faction", "join", { faction: "Red Claw Wing" }, t.bob.id)).toBe(
      `Welcome to **⚔️ Red Claw Wing**. You now have <@&${wingRoleId}>.`,
    );
    expect(t.discord.memberObject(t.guildId, t.bob.id)?.roles).toContain(wingRoleId);

    expect(await answer("faction-admin", "archive", { faction: "Red Claw Wing" })).toBe(
      "Archived **⚔️ Red Claw Wing**: nobody can join it; its roster and history stay readable.\nRoles: 0 given, 1 taken back.",
    );
    const revoked = await t.discord.waitForRequest(
      (r) => r.method === "DELETE" && r.route === `/guilds/${t.guildId}/members/${t.bob.id}/roles/${wingRoleId}`,
    );
    expect(revoked.status).toBe(204);
    expect(t.discord.memberObject(t.guildId, t.bob.id)?.roles).not.toContain(wingRoleId);
    expect((await db().serverFaction.findFirst({ where: { name: "Red Claw Wing" } }))?.archivedAt).toBeInstanceOf(Date);

    expect(await answer("faction", "join", { faction: "Red Claw Wing" }, dave.id)).toBe(
      "Red Claw Wing is archived; nobody can join it any more.",
    );
    const roster = await callbackData(t.command("faction", "roster", { faction: "Red Claw Wing" }, { user: dave.id }));
    expect(roster.embeds[0].description).toContain(`<@${t.bob.id}>`);
    expect(roster.embeds[0].footer.text).toBe("Page 1 of 1 · 1 member");
    const card = await callbackData(t.command("faction", "info", { name: "Red Claw Wing" }));
    expect(field(card.embeds[0], "On this server")).toMatch(/Joining: archived/);
    const offered = (await callbackData(t.autocomplete("faction", "join", "faction", "claw", { user: dave.id })))
      .choices;
    expect(offered.map((c: { name: string }) => c.name)).not.toContain("Red Claw Wing");
    expect(await answer("faction-admin", "archive", { faction: "Red Claw Wing" })).toBe(
      "Red Claw Wing is already archived.",
    );
    expect(await answer("faction", "leave", {}, t.bob.id)).toBe("You left **⚔️ Red Claw Wing**.");
  });
});

describe("who may administer", () => {
  it("refuses a member without Manage Server or the council role, and changes nothing", async () => {
    expect(await answer("faction-admin", "create", { name: "Bob's Own" }, t.bob.id)).toBe(
      "You need the Manage Server permission for this (admins can also let a council role do it with `/config council-role`).",
    );
    expect(await answer("config", "max-factions", { count: 5 }, t.bob.id)).toMatch(/^You need the Manage Server/);
    expect(await answer("faction-admin", "close", { faction: "Cardassian Union" }, carol.id)).toMatch(
      /^You need the Manage Server/,
    );
    expect(await db().serverFaction.count({ where: { guildId: t.guildId, name: "Bob's Own" } })).toBe(0);
    expect((await db().guildSettings.findUnique({ where: { guildId: t.guildId } }))?.maxFactions ?? 1).toBe(1);
  });

  it("lets a member with Manage Server do it", async () => {
    const data = await callbackData(
      t.command(
        "faction-admin",
        "close",
        { faction: "Gorn Hegemony" },
        { user: dave.id, memberPermissions: PermissionFlagsBits.ManageGuild },
      ),
    );
    expect(data.content).toBe("**Gorn Hegemony** is now closed.");
  });

  it("after /config council-role, lets the council role in and names it when refusing others", async () => {
    expect(await answer("config", "council-role", { role: councilRoleId })).toBe(
      `Members with <@&${councilRoleId}> may now use the admin commands.`,
    );
    expect(await answer("faction-admin", "close", { faction: "Cardassian Union" }, carol.id)).toBe(
      "**Cardassian Union** is now closed.",
    );
    const shown = await callbackData(t.command("config", "show", {}, { user: carol.id }));
    expect(field(shown.embeds[0], "Council role")).toBe(`<@&${councilRoleId}>`);
    expect(await answer("faction-admin", "allow", { faction: "Cardassian Union" }, t.bob.id)).toBe(
      `You need the Manage Server permission or the <@&${councilRoleId}> role for this.`,
    );
  });
});

describe("moderation and the audit trail", () => {
  it("records a move and a removal, and /faction-admin log shows who did what, when", async () => {
    expect(await answer("faction", "join", { faction: "Talaxian" }, dave.id)).toBe("Welcome to **Talaxian**.");
    expect(await answer("faction-admin", "move", { member: dave.id, faction: "Hirogen" }, carol.id)).toBe(
      `Moved <@${dave.id}> from **Talaxian** to **Hirogen**. It is in the audit log.`,
    );
    const moved = await db().factionMember.findMany({
      where: { guildId: t.guildId, userId: dave.id },
      include: { faction: true },
    });
    expect(moved.map((m) => m.faction.name)).toEqual(["Hirogen"]);

    expect(await answer("faction-admin", "remove", { member: dave.id })).toBe(
      `Removed <@${dave.id}> from **Hirogen**. It is in the audit log.`,
    );
    expect(await db().factionMember.count({ where: { guildId: t.guildId, userId: dave.id } })).toBe(0);
    expect(await answer("faction-admin", "remove", { member: dave.id })).toBe(`<@${dave.id}> belongs to no faction.`);

    const rows = await db().factionEvent.findMany({
      where: { guildId: t.guildId, userId: dave.id, action: { in: ["moved", "removed"] } },
      orderBy: { createdAt: "asc" },
    });
    expect(rows.map((r) => [r.action, r.actorId])).toEqual([
      ["moved", carol.id],
      ["removed", t.alice.id],
    ]);
    expect(JSON.parse(rows[0]!.detail)).toEqual({ from: "Talaxian", to: "Hirogen" });

    const log = await callbackData(t.command("faction-admin", "log", { member: dave.id }));
    expect(log.flags).toBe(EPHEMERAL);
    const lines: string[] = log.embeds[0].description.split("\n");
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(`^<t:\\d+:f> <@${dave.id}> was removed from \\*\\*Hirogen\\*\\* \\(by <@${t.alice.id}>\\)$`),
      ),
      expect.stringMatching(
        new RegExp(
          `^<t:\\d+:f> <@${dave.id}> was moved from \\*\\*Talaxian\\*\\* to \\*\\*Hirogen\\*\\* \\(by <@${carol.id}>\\)$`,
        ),
      ),
      expect.stringMatching(new RegExp(`^<t:\\d+:f> <@${dave.id}> joined \\*\\*Talaxian\\*\\*$`)),
    ]);
    expect(log.embeds[0].footer.text).toBe("Page 1 of 1 · 3 entries");

    const all = await callbackData(t.command("faction-admin", "log", {}));
    expect(all.embeds[0].description).toMatch(/\*\*Red Claw Wing\*\* was archived \(by <@\d+>\)/);
    expect(all.embeds[0].description).toMatch(/\*\*Cardassian Union\*\* is now closed/);
    expect(await answer("faction-admin", "log", {}, t.bob.id)).toMatch(/^You need the Manage Server permission or/);
  });
});
