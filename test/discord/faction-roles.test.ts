import { PermissionFlagsBits } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_BOT_PERMISSIONS, type InteractionHandle, snowflake } from "../loopback/server.js";
import { type Actor, callbackData, startTestBot, type TestBot } from "../support/bot-harness.js";

// End to end: faction roles. The loopback checks role changes as Discord does (Manage Roles, and the role below
// the bot's highest role) and records every REST call, so the tests see exactly which roles the bot touched.

const EPHEMERAL = 64;
const carol = { id: snowflake(), username: "carol" };
const dave = { id: snowflake(), username: "dave" };
const erin = { id: snowflake(), username: "erin" };
const olga = { id: snowflake(), username: "olga" };
const gus = { id: snowflake(), username: "gus" };
const klingonRoleId = snowflake();
const officerRoleId = snowflake();
const admiralRoleId = snowflake();
const gornRoleId = snowflake();
const dryDockId = snowflake();
const dryDockChannelId = snowflake();
let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({
    membersIntent: true,
    guild: {
      roles: [
        { id: klingonRoleId, name: "Klingon", position: 1, permissions: 0n },
        { id: officerRoleId, name: "Officer", position: 2, permissions: 0n },
        { id: admiralRoleId, name: "Admiral", position: 10, permissions: 0n },
      ],
      botRolePosition: 5,
      members: [{ user: carol, roles: [officerRoleId] }, { user: dave }, { user: erin }],
    },
    extraGuilds: [
      {
        id: dryDockId,
        name: "Dry Dock",
        ownerId: olga.id,
        channels: [{ id: dryDockChannelId, name: "general" }],
        roles: [{ id: gornRoleId, name: "Gorn", position: 1, permissions: 0n }],
        members: [{ user: olga }, { user: gus }],
        botPermissions: DEFAULT_BOT_PERMISSIONS & ~PermissionFlagsBits.ManageRoles,
      },
    ],
  });
});
afterAll(async () => {
  await t?.stop();
});

const db = () => t.bot.ctx.db.prisma;
const roleRoute = /^\/guilds\/(\d+)\/members\/(\d+)\/roles\/(\d+)$/;

function roleCalls(since = 0) {
  return t
    .botRequests(since)
    .filter((r) => roleRoute.test(r.route))
    .map((r) => {
      const [, guildId = "", userId = "", roleId = ""] = roleRoute.exec(r.route)!;
      return { method: r.method, guildId, userId, roleId, status: r.status };
    });
}

async function answer(name: string, sub: string, values: Record<string, string>, as: Actor = {}) {
  const data = await callbackData(t.command(name, sub, values, as));
  expect(data.flags).toBe(EPHEMERAL);
  return data.content as string;
}

/**
 * The text a deferred reply ends with. The token stays quiet while the bot talks to Discord about roles, so
 * waiting for quiet is not enough: wait for the edit of @original itself.
 */
async function deferredAnswer(handle: InteractionHandle): Promise<string> {
  await t.discord.waitForRequest(
    (r) => r.method === "PATCH" && r.route.endsWith(`/${handle.payload.token}/messages/@original`),
    5000,
  );
  return handle.original()?.content ?? "";
}

const rolesOf = (userId: string, guildId = t.guildId) => t.discord.memberObject(guildId, userId)?.roles ?? [];
const ABOVE = `<@&${admiralRoleId}> is above my highest role, so Discord does not let me hand it out. Move my role above it (Server Settings → Roles), then run \`/faction-admin resync\` (I also try again by myself in a few minutes).`;
const NO_MANAGE_ROLES = `I lack the Manage Roles permission, so I could not change <@&${gornRoleId}>. Give my role Manage Roles, then run \`/faction-admin resync\` (I also try again by myself in a few minutes).`;

describe("/faction-admin link-role", () => {
  it("gives the role to the faction's present members, and to nobody else", async () => {
    await answer("faction", "join", { faction: "kdf" }, { user: t.bob.id });
    await answer("faction", "join", { faction: "kdf" }, { user: carol.id });
    const since = t.discord.requests.length;
    expect(await answer("faction-admin", "link-role", { faction: "kdf", role: klingonRoleId })).toBe(
      `Members of **Klingon Empire** now get <@&${klingonRoleId}>; I will touch no other role.\nRoles: 2 given, 0 taken back.`,
    );
    expect(roleCalls(since).sort((a, b) => a.userId.localeCompare(b.userId))).toEqual(
      [t.bob.id, carol.id]
        .sort()
        .map((userId) => ({ method: "PUT", guildId: t.guildId, userId, roleId: klingonRoleId, status: 204 })),
    );
    expect(rolesOf(t.bob.id)).toContain(klingonRoleId);
    expect(rolesOf(carol.id)).toEqual([officerRoleId, klingonRoleId]);
    const row = await db().serverFaction.findFirst({ where: { guildId: t.guildId, slug: "klingon-empire" } });
    expect(row?.roleId).toBe(klingonRoleId);
  });

  it("refuses a role already linked to another faction", async () => {
    expect(await answer("faction-admin", "link-role", { faction: "Talaxian", role: klingonRoleId })).toBe(
      `<@&${klingonRoleId}> is already linked to Klingon Empire. One role, one faction.`,
    );
  });
});

describe("joining and leaving with a linked role", () => {
  it("joining grants the role (PUT), leaving takes it back (DELETE)", async () => {
    let since = t.discord.requests.length;
    expect(await answer("faction", "join", { faction: "kdf" }, { user: dave.id })).toBe(
      `Welcome to **Klingon Empire**. You now have <@&${klingonRoleId}>.`,
    );
    const [put] = roleCalls(since);
    expect(put).toEqual({ method: "PUT", guildId: t.guildId, userId: dave.id, roleId: klingonRoleId, status: 204 });
    expect(rolesOf(dave.id)).toEqual([klingonRoleId]);

    since = t.discord.requests.length;
    expect(await answer("faction", "leave", {}, { user: dave.id })).toBe("You left **Klingon Empire**.");
    expect(roleCalls(since)).toEqual([
      { method: "DELETE", guildId: t.guildId, userId: dave.id, roleId: klingonRoleId, status: 204 },
    ]);
    expect(rolesOf(dave.id)).toEqual([]);
  });

  it("given a role above the bot's highest role, tells the admin and the member exactly, and still records the membership", async () => {
    expect(await answer("faction-admin", "link-role", { faction: "Cardassian Union", role: admiralRoleId })).toBe(
      `Members of **Cardassian Union** now get <@&${admiralRoleId}>; I will touch no other role.\n⚠️ Cardassian Union: ${ABOVE}`,
    );
    const since = t.discord.requests.length;
    expect(await answer("faction", "join", { faction: "Cardassian Union" }, { user: erin.id })).toBe(
      `Welcome to **Cardassian Union**.\n⚠️ ${ABOVE}`,
    );
    expect(roleCalls(since)).toEqual([]);
    expect(rolesOf(erin.id)).toEqual([]);
    const membership = await db().factionMember.findFirst({ where: { guildId: t.guildId, userId: erin.id } });
    expect(membership).not.toBeNull();
    const failure = await db().factionEvent.findFirst({ where: { userId: erin.id, action: "role-sync-failed" } });
    expect(JSON.parse(failure!.detail)).toEqual({ roleId: admiralRoleId, problem: "role-above-bot", change: "grant" });
  });

  it("given a bot without Manage Roles, tells the admin and the member exactly, and still records the membership", async () => {
    const inDryDock = { guildId: dryDockId, channelId: dryDockChannelId };
    expect(
      await answer(
        "faction-admin",
        "link-role",
        { faction: "Gorn Hegemony", role: gornRoleId },
        { ...inDryDock, user: olga.id },
      ),
    ).toBe(
      `Members of **Gorn Hegemony** now get <@&${gornRoleId}>; I will touch no other role.\n⚠️ Gorn Hegemony: ${NO_MANAGE_ROLES}`,
    );
    const since = t.discord.requests.length;
    expect(await answer("faction", "join", { faction: "Gorn Hegemony" }, { ...inDryDock, user: gus.id })).toBe(
      `Welcome to **Gorn Hegemony**.\n⚠️ ${NO_MANAGE_ROLES}`,
    );
    expect(await db().factionMember.count({ where: { guildId: dryDockId, userId: gus.id } })).toBe(1);
    expect(await answer("faction", "leave", {}, { ...inDryDock, user: gus.id })).toBe(
      `You left **Gorn Hegemony**.\n⚠️ ${NO_MANAGE_ROLES}`,
    );
    expect(await db().factionMember.count({ where: { guildId: dryDockId, userId: gus.id } })).toBe(0);
    expect(roleCalls(since)).toEqual([]);
    const failures = await db().factionEvent.findMany({
      where: { guildId: dryDockId, action: "role-sync-failed" },
      orderBy: { createdAt: "asc" },
    });
    expect(failures.map((e) => [e.userId, JSON.parse(e.detail)])).toEqual([
      [gus.id, { roleId: gornRoleId, problem: "missing-manage-roles", change: "grant" }],
      [gus.id, { roleId: gornRoleId, problem: "missing-manage-roles", change: "revoke" }],
    ]);
  });
});

describe("moderation with linked roles", () => {
  it("a move whose old role cannot be taken back names that faction and role, not the new one", async () => {
    const since = t.discord.requests.length;
    expect(await answer("faction-admin", "move", { member: erin.id, faction: "kdf", from: "Cardassian Union" })).toBe(
      `Moved <@${erin.id}> from **Cardassian Union** to **Klingon Empire**. It is in the audit log.\n⚠️ Cardassian Union: ${ABOVE}`,
    );
    expect(roleCalls(since)).toEqual([
      { method: "PUT", guildId: t.guildId, userId: erin.id, roleId: klingonRoleId, status: 204 },
    ]);
    expect(rolesOf(erin.id)).toEqual([klingonRoleId]);
  });

  it("a removal whose role cannot be taken back says exactly why", async () => {
    const inDryDock = { guildId: dryDockId, channelId: dryDockChannelId };
    await answer("faction", "join", { faction: "Gorn Hegemony" }, { ...inDryDock, user: gus.id });
    expect(await answer("faction-admin", "remove", { member: gus.id }, { ...inDryDock, user: olga.id })).toBe(
      `Removed <@${gus.id}> from **Gorn Hegemony**. It is in the audit log.\n⚠️ Gorn Hegemony: ${NO_MANAGE_ROLES}`,
    );
    expect(await db().factionMember.count({ where: { guildId: dryDockId, userId: gus.id } })).toBe(0);
  });
});

describe("/faction-admin resync", () => {
  it("repairs drift: a member who lost the role gets it back, a non-member who was given it loses it", async () => {
    await t.changeRoleByHand(t.guildId, t.bob.id, klingonRoleId, "remove");
    await t.changeRoleByHand(t.guildId, dave.id, klingonRoleId, "add");
    expect(rolesOf(t.bob.id)).not.toContain(klingonRoleId);
    expect(rolesOf(dave.id)).toEqual([klingonRoleId]);
    await answer("faction-admin", "unlink-role", { faction: "Cardassian Union" });

    const since = t.discord.requests.length;
    const handle = t.command("faction-admin", "resync", {});
    expect(await handle.callback).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    expect(await deferredAnswer(handle)).toBe("Roles: 1 given, 1 taken back.");
    expect(rolesOf(t.bob.id)).toContain(klingonRoleId);
    expect(rolesOf(dave.id)).toEqual([]);
    expect(roleCalls(since)).toEqual([
      { method: "PUT", guildId: t.guildId, userId: t.bob.id, roleId: klingonRoleId, status: 204 },
      { method: "DELETE", guildId: t.guildId, userId: dave.id, roleId: klingonRoleId, status: 204 },
    ]);
    const event = await db().factionEvent.findFirst({ where: { guildId: t.guildId, action: "resynced" } });
    expect(JSON.parse(event!.detail)).toEqual({ granted: 1, revoked: 1, problems: 0 });

    expect(await deferredAnswer(t.command("faction-admin", "resync", {}))).toBe(
      "All faction roles were already right.",
    );
  });

  it("never touched a role it was not told to manage", async () => {
    const touched = new Set(roleCalls().map((call) => call.roleId));
    expect([...touched]).toEqual([klingonRoleId]);
    expect(rolesOf(carol.id)).toContain(officerRoleId);
    expect(t.discord.requests.some((r) => r.route.endsWith(`/roles/${officerRoleId}`))).toBe(false);
  });

  it("a role change Discord refused is tried again by a resync job a few minutes later, run once", async () => {
    const lift = t.discord.forbid((r) => r.method === "PUT" && r.route.endsWith(`/roles/${klingonRoleId}`));
    expect(await answer("faction", "join", { faction: "kdf" }, { user: dave.id })).toContain(
      `Discord refused to change <@&${klingonRoleId}>. I will try again in a few minutes`,
    );
    expect(rolesOf(dave.id)).toEqual([]);
    const job = await db().scheduledJob.findFirstOrThrow({ where: { kind: "role-resync", guildId: t.guildId } });
    expect(job.status).toBe("pending");
    const wait = job.dueAt.getTime() - Date.now();
    expect(wait).toBeGreaterThan(5 * 60_000);
    expect(wait).toBeLessThanOrEqual(20 * 60_000);

    // Discord accepts again; the job's time comes (moved to now here rather than waiting ten minutes).
    lift();
    await db().scheduledJob.update({ where: { id: job.id }, data: { dueAt: new Date() } });
    await t.bot.ctx.jobs.poke();
    await t.bot.ctx.jobs.poke();
    expect(rolesOf(dave.id)).toEqual([klingonRoleId]);
    expect(await db().scheduledJob.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({
      status: "done",
      attempts: 1,
    });
    const event = await db().factionEvent.findFirst({
      where: { guildId: t.guildId, action: "resynced", actorId: null },
    });
    expect(JSON.parse(event!.detail)).toMatchObject({ granted: 1, problems: 0 });
  });
});
