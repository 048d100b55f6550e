import type { APIMessage } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snowflake } from "../loopback/server.js";
import { callbackData, startTestBot, type TestBot } from "../support/bot-harness.js";

// End to end: joining, leaving, approvals, rosters and records of player factions, through the real bot and
// discord.js client against the loopback Discord; assertions on the JSON sent back and the rows in SQLite.

const EPHEMERAL = 64;
const carol = { id: snowflake(), username: "carol" };
const dave = { id: snowflake(), username: "dave" };
const erin = { id: snowflake(), username: "erin" };
const frank = { id: snowflake(), username: "frank" };
const approvalsChannelId = snowflake();
let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({
    guild: {
      members: [{ user: carol }, { user: dave }, { user: erin }, { user: frank }],
      channels: [{ id: approvalsChannelId, name: "approvals" }],
    },
  });
});
afterAll(async () => {
  await t?.stop();
});

const db = () => t.bot.ctx.db.prisma;

async function factionId(name: string): Promise<string> {
  const row = await db().serverFaction.findFirst({ where: { guildId: t.guildId, name } });
  if (!row) throw new Error(`no row for ${name}`);
  return row.id;
}

async function membershipNames(userId: string): Promise<string[]> {
  const rows = await db().factionMember.findMany({
    where: { guildId: t.guildId, userId },
    include: { faction: true },
    orderBy: { slot: "asc" },
  });
  return rows.map((row) => row.faction.name);
}

/** Runs an admin command as alice, the owner, and checks that it worked. */
async function admin(name: string, sub: string, values: Record<string, string | number>): Promise<string> {
  const data = await callbackData(t.command(name, sub, values));
  expect(data.flags).toBe(EPHEMERAL);
  return data.content;
}

function buttons(message: APIMessage | Record<string, any>): { label: string; custom_id: string }[] {
  return (message.components ?? []).flatMap((row: any) => row.components);
}

describe("/faction join and leave", () => {
  it("given an open canon faction, joins privately and records one membership with its history", async () => {
    const data = await callbackData(t.command("faction", "join", { faction: "kdf" }, { user: t.bob.id }));
    expect(data).toMatchObject({ flags: EPHEMERAL, content: "Welcome to **Klingon Empire**." });
    expect(data.allowed_mentions).toEqual({ parse: [], replied_user: false });
    expect(await membershipNames(t.bob.id)).toEqual(["Klingon Empire"]);
    const events = await db().factionEvent.findMany({ where: { guildId: t.guildId, userId: t.bob.id } });
    expect(events.map((e) => [e.action, e.actorId])).toEqual([["joined", t.bob.id]]);
  });

  it("given one faction already and a limit of 1, refuses a second join and changes nothing", async () => {
    const data = await callbackData(t.command("faction", "join", { faction: "Cardassian Union" }, { user: t.bob.id }));
    expect(data).toMatchObject({
      flags: EPHEMERAL,
      content: "You already belong to a faction on this server. Leave it first with `/faction leave`.",
    });
    expect(await membershipNames(t.bob.id)).toEqual(["Klingon Empire"]);
  });

  it("given a joined faction again, says so", async () => {
    const data = await callbackData(t.command("faction", "join", { faction: "kdf" }, { user: t.bob.id }));
    expect(data).toMatchObject({ flags: EPHEMERAL, content: "You are already a member of Klingon Empire." });
  });

  it("after /config max-factions 2, allows a second faction; leave then asks which one", async () => {
    expect(await admin("config", "max-factions", { count: 2 })).toBe(
      "Members may now belong to 2 factions at once. Nobody loses a membership they already have.",
    );
    const joined = await callbackData(
      t.command("faction", "join", { faction: "Cardassian Union" }, { user: t.bob.id }),
    );
    expect(joined.content).toBe("Welcome to **Cardassian Union**.");
    expect(await membershipNames(t.bob.id)).toEqual(["Klingon Empire", "Cardassian Union"]);

    const which = await callbackData(t.command("faction", "leave", {}, { user: t.bob.id }));
    expect(which).toMatchObject({
      flags: EPHEMERAL,
      content: "You belong to several factions: say which one to leave.",
    });
    expect(await membershipNames(t.bob.id)).toHaveLength(2);

    const choices = (await callbackData(t.autocomplete("faction", "leave", "faction", "", { user: t.bob.id }))).choices;
    expect(choices.map((c: { name: string }) => c.name).sort()).toEqual(["Cardassian Union", "Klingon Empire"]);
    const cardassian = choices.find((c: { name: string }) => c.name === "Cardassian Union");
    const left = await callbackData(t.command("faction", "leave", { faction: cardassian.value }, { user: t.bob.id }));
    expect(left).toMatchObject({ flags: EPHEMERAL, content: "You left **Cardassian Union**." });
    expect(await membershipNames(t.bob.id)).toEqual(["Klingon Empire"]);

    const last = await callbackData(t.command("faction", "leave", {}, { user: t.bob.id }));
    expect(last.content).toBe("You left **Klingon Empire**.");
    expect(await membershipNames(t.bob.id)).toEqual([]);
    const none = await callbackData(t.command("faction", "leave", {}, { user: t.bob.id }));
    expect(none).toMatchObject({ flags: EPHEMERAL, content: "You do not belong to any faction on this server." });

    await admin("config", "max-factions", { count: 1 });
    expect((await db().guildSettings.findUnique({ where: { guildId: t.guildId } }))?.maxFactions).toBe(1);
  });
});

describe("closed factions and approvals", () => {
  let requestMessage: APIMessage;

  it("given a closed faction, refuses to join and leaves it out of the suggestions", async () => {
    expect(await admin("faction-admin", "close", { faction: "Gorn Hegemony" })).toBe(
      "**Gorn Hegemony** is now closed.",
    );
    const data = await callbackData(t.command("faction", "join", { faction: "Gorn Hegemony" }, { user: dave.id }));
    expect(data).toMatchObject({ flags: EPHEMERAL, content: "Gorn Hegemony is closed to new members on this server." });
    expect(await membershipNames(dave.id)).toEqual([]);
    const offered = (await callbackData(t.autocomplete("faction", "join", "faction", "gorn", { user: dave.id })))
      .choices;
    expect(offered.map((c: { name: string }) => c.name)).not.toContain("Gorn Hegemony");
  });

  it("given a faction that needs approval, posts the request with Approve/Deny to the approvals channel", async () => {
    await admin("config", "approval-channel", { channel: approvalsChannelId });
    expect(await admin("faction-admin", "require-approval", { faction: "Tzenkethi Coalition" })).toBe(
      "**Tzenkethi Coalition** is now open only with approval.",
    );
    // carol is placed by an admin (policy does not apply to admins) and made a leader.
    expect(await admin("faction-admin", "move", { member: carol.id, faction: "Tzenkethi Coalition" })).toMatch(
      /^Placed <@\d+> in \*\*Tzenkethi Coalition\*\*/,
    );
    expect(await admin("faction-admin", "leader", { faction: "Tzenkethi Coalition", member: carol.id })).toBe(
      `<@${carol.id}> now leads **Tzenkethi Coalition**.`,
    );

    const asked = await callbackData(
      t.command("faction", "join", { faction: "Tzenkethi Coalition" }, { user: dave.id }),
    );
    expect(asked.flags).toBe(EPHEMERAL);
    expect(asked.content).toMatch(/^\*\*Tzenkethi Coalition\*\* needs approval to join\. Your request went to/);
    expect(buttons(asked).map((b) => b.label)).toEqual(["Withdraw request"]);
    expect(await membershipNames(dave.id)).toEqual([]);

    const posted = await t.discord.waitForRequest(
      (r) => r.method === "POST" && r.route === `/channels/${approvalsChannelId}/messages`,
    );
    expect(posted.status).toBe(200);
    requestMessage = t.discord.messages(approvalsChannelId).at(-1)!;
    expect(requestMessage.embeds[0]?.title).toBe("Join request: Tzenkethi Coalition");
    expect(requestMessage.embeds[0]?.description).toContain(`<@${dave.id}> asks to join`);
    expect(requestMessage.embeds[0]?.description).toContain(`leaders of Tzenkethi Coalition (<@${carol.id}>)`);
    expect(requestMessage.mentions).toEqual([]);
    expect(buttons(requestMessage).map((b) => b.label)).toEqual(["Approve", "Deny"]);
    const request = await db().joinRequest.findFirst({ where: { guildId: t.guildId, userId: dave.id } });
    expect(request).toMatchObject({ status: "pending", channelId: approvalsChannelId, messageId: requestMessage.id });
  });

  it("refuses a decision by a member who is neither a leader nor an admin", async () => {
    const approve = buttons(requestMessage)[0]!;
    const data = await callbackData(t.click(requestMessage, approve.custom_id, { user: t.bob.id }));
    expect(data).toMatchObject({
      flags: EPHEMERAL,
      content: "Only leaders of Tzenkethi Coalition, the council role or members with Manage Server can decide this.",
    });
    expect(await membershipNames(dave.id)).toEqual([]);
    expect((await db().joinRequest.findFirst({ where: { userId: dave.id } }))?.status).toBe("pending");
  });

  it("a leader approves: the member is added, the post shows the verdict, and the member hears by DM", async () => {
    const approve = buttons(requestMessage)[0]!;
    const click = t.click(requestMessage, approve.custom_id, { user: carol.id });
    const updated = await click.callback;
    expect(updated.type).toBe(7);
    expect(updated.data?.components).toEqual([]);
    expect((updated.data as any).embeds[0].description).toContain(`**Approved by <@${carol.id}>.**`);
    const note = await click.waitForFollowUp(1);
    expect(note.flags).toBe(EPHEMERAL);
    expect(note.content).toBe("The member was told by direct message.");
    expect(await membershipNames(dave.id)).toEqual(["Tzenkethi Coalition"]);
    expect(t.discord.directMessages(dave.id).map((m) => m.content)).toEqual([
      "Your request to join **Tzenkethi Coalition** on Khitomer Fleet was approved. Welcome!",
    ]);
    const event = await db().factionEvent.findFirst({ where: { userId: dave.id, action: "approved" } });
    expect(event?.actorId).toBe(carol.id);
  });

  it("a second click on a decided request answers that it was decided, and changes nothing", async () => {
    const deny = buttons(requestMessage)[1]!;
    const data = await callbackData(t.click(requestMessage, deny.custom_id, { user: t.alice.id }));
    expect(data).toMatchObject({ flags: EPHEMERAL, content: "This request was already approved." });
    expect(await membershipNames(dave.id)).toEqual(["Tzenkethi Coalition"]);
  });

  it("the member can withdraw a pending request, then ask again; an admin denies it and the member hears by DM", async () => {
    const asked = t.command("faction", "join", { faction: "Tzenkethi Coalition" }, { user: frank.id });
    const first = await callbackData(asked);
    await asked.settled();
    const withdraw = buttons(first)[0]!;
    const stranger = await callbackData(t.click(asked.original()!, withdraw.custom_id, { user: t.bob.id }));
    expect(stranger.content).toBe("Only the member who asked can withdraw this request.");
    const withdrawn = await callbackData(t.click(asked.original()!, withdraw.custom_id, { user: frank.id }));
    expect(withdrawn).toMatchObject({ content: "Request withdrawn.", components: [] });
    expect((await db().joinRequest.findFirst({ where: { userId: frank.id } }))?.status).toBe("cancelled");

    const again = await callbackData(
      t.command("faction", "join", { faction: "Tzenkethi Coalition" }, { user: frank.id }),
    );
    expect(again.content).toMatch(/needs approval/);
    const pending = await callbackData(
      t.command("faction", "join", { faction: "Tzenkethi Coalition" }, { user: frank.id }),
    );
    expect(pending.content).toBe("Your request to join Tzenkethi Coalition is still waiting for a decision.");

    const message = t.discord.messages(approvalsChannelId).at(-1)!;
    expect(message.embeds[0]?.description).toContain(`<@${frank.id}>`);
    const click = t.click(message, buttons(message)[1]!.custom_id, { user: t.alice.id });
    expect((await callbackData(click)).embeds[0].description).toContain(`**Denied by <@${t.alice.id}>.**`);
    expect((await click.waitForFollowUp(1)).content).toBe("The member was told by direct message.");
    expect(t.discord.directMessages(frank.id).map((m) => m.content)).toEqual([
      "Your request to join **Tzenkethi Coalition** on Khitomer Fleet was not approved.",
    ]);
    expect(await membershipNames(frank.id)).toEqual([]);
    const statuses = await db().joinRequest.findMany({ where: { userId: frank.id }, orderBy: { createdAt: "asc" } });
    expect(statuses.map((r) => r.status)).toEqual(["cancelled", "denied"]);
  });

  it("given a member who joined another faction meanwhile, says why the request cannot be approved now", async () => {
    const gus = snowflake();
    t.discord.addMember(t.guildId, { user: { id: gus, username: "gus" } });
    await callbackData(t.command("faction", "join", { faction: "Tzenkethi Coalition" }, { user: gus }));
    const message = t.discord.messages(approvalsChannelId).at(-1)!;
    expect(message.embeds[0]?.description).toContain(`<@${gus}>`);
    expect((await callbackData(t.command("faction", "join", { faction: "Hirogen" }, { user: gus }))).content).toBe(
      "Welcome to **Hirogen**.",
    );
    const data = await callbackData(t.click(message, buttons(message)[0]!.custom_id, { user: carol.id }));
    expect(data).toMatchObject({
      flags: EPHEMERAL,
      content:
        "This request cannot be approved now: the member already belongs to a faction on this server, the most it allows.",
    });
    expect(await membershipNames(gus)).toEqual(["Hirogen"]);
    expect((await db().joinRequest.findFirst({ where: { userId: gus } }))?.status).toBe("pending");
  });

  it("given an approvals channel the bot cannot post in, records the request and tells the member to tell an admin", async () => {
    const lift = t.discord.forbid((r) => r.method === "POST" && r.route === `/channels/${approvalsChannelId}/messages`);
    try {
      const before = t.discord.messages(approvalsChannelId).length;
      const data = await callbackData(
        t.command("faction", "join", { faction: "Tzenkethi Coalition" }, { user: t.bob.id }),
      );
      expect(data).toMatchObject({
        flags: EPHEMERAL,
        content:
          "**Tzenkethi Coalition** needs approval to join. Your request is recorded, but I could not post it for the leaders (I cannot write in the approvals channel); please tell an admin.",
      });
      expect(buttons(data).map((b) => b.label)).toEqual(["Withdraw request"]);
      expect(t.discord.messages(approvalsChannelId)).toHaveLength(before);
      const request = await db().joinRequest.findFirst({ where: { userId: t.bob.id, status: "pending" } });
      expect(request).toMatchObject({ messageId: null });
    } finally {
      lift();
    }
  });

  it("given a member who refuses DMs, tells the decider to tell them", async () => {
    const reopen = t.discord.closeDirectMessages(erin.id);
    try {
      await callbackData(t.command("faction", "join", { faction: "Tzenkethi Coalition" }, { user: erin.id }));
      const message = t.discord.messages(approvalsChannelId).at(-1)!;
      const click = t.click(message, buttons(message)[0]!.custom_id, { user: carol.id });
      expect((await click.callback).type).toBe(7);
      const note = await click.waitForFollowUp(1);
      expect(note).toMatchObject({
        flags: EPHEMERAL,
        content: "The member does not accept direct messages; please tell them.",
      });
      expect(await membershipNames(erin.id)).toEqual(["Tzenkethi Coalition"]);
      expect(t.discord.directMessages(erin.id)).toEqual([]);
    } finally {
      reopen();
    }
  });
});

describe("/faction roster, whois and info", () => {
  const recruits = Array.from({ length: 19 }, () => snowflake());

  beforeAll(async () => {
    // Members who are not on the loopback server only appear as mentions; the service is what the command uses.
    const talaxian = await t.bot.ctx.factions.resolve(t.guildId, "Talaxian");
    await t.bot.ctx.factions.join(t.guildId, t.alice.id, talaxian);
    for (const userId of recruits) await t.bot.ctx.factions.join(t.guildId, userId, talaxian);
    const row = await t.bot.ctx.factions.resolve(t.guildId, "Talaxian");
    expect(row.id).toBe(await factionId("Talaxian"));
    await t.bot.ctx.factions.setLeader(t.guildId, t.alice.id, row, recruits[5]!, true);
  });

  it("pages the roster for the member who asked only, leaders first, with join dates", async () => {
    const handle = t.command("faction", "roster", { faction: "Talaxian" }, { user: t.bob.id });
    const first = await callbackData(handle);
    const [embed] = first.embeds;
    expect(embed.title).toBe("Roster: Talaxian");
    expect(embed.footer.text).toBe("Page 1 of 2 · 20 members");
    const lines = embed.description.split("\n");
    expect(lines).toHaveLength(15);
    expect(lines[0]).toMatch(new RegExp(`^<@${recruits[5]}> — \\*\\*leader\\*\\* · joined <t:\\d+:D>$`));
    for (const line of lines.slice(1)) expect(line).toMatch(/^<@\d+> · joined <t:\d+:D>$/);
    // alice joined first; recruits who joined within the same millisecond may share her place.
    expect(lines.slice(1, 3)).toContainEqual(expect.stringMatching(new RegExp(`^<@${t.alice.id}> ·`)));
    const [previous, next] = buttons(first);
    expect(previous).toMatchObject({ disabled: true });
    await handle.settled();
    const message = handle.original()!;

    const other = await callbackData(t.click(message, next!.custom_id, { user: dave.id }));
    expect(other).toMatchObject({
      flags: EPHEMERAL,
      content: expect.stringMatching(/^Only <@\d+> can turn these pages/),
    });

    const second = await callbackData(t.click(message, next!.custom_id, { user: t.bob.id }));
    expect(second.embeds[0].footer.text).toBe("Page 2 of 2 · 20 members");
    expect(second.embeds[0].description.split("\n")).toHaveLength(5);
    expect(second.embeds[0].description).not.toContain(`<@${recruits[5]}>`);
  });

  it("without a faction, shows the invoker's own faction, or asks which", async () => {
    const mine = await callbackData(t.command("faction", "roster", {}, { user: dave.id }));
    expect(mine.embeds[0].title).toBe("Roster: Tzenkethi Coalition");
    expect(mine.embeds[0].description.split("\n")[0]).toMatch(new RegExp(`^<@${carol.id}> — \\*\\*leader\\*\\*`));
    const none = await callbackData(t.command("faction", "roster", {}, { user: frank.id }));
    expect(none).toMatchObject({ flags: EPHEMERAL, content: "Name a faction: you belong to none here." });
  });

  it("whois shows a member's factions and their history on this server", async () => {
    const data = await callbackData(t.command("faction", "whois", { member: dave.id }, { user: t.bob.id }));
    const [embed] = data.embeds;
    expect(embed.title).toBe("Faction record");
    expect(embed.description).toMatch(
      new RegExp(`^<@${dave.id}>\\n\\n\\*\\*Tzenkethi Coalition\\*\\* · joined <t:\\d+:D>$`),
    );
    const history = embed.fields.find((f: { name: string }) => f.name === "History").value;
    expect(history).toMatch(/was admitted to \*\*Tzenkethi Coalition\*\* \(by <@\d+>\)/);
    expect(history).toMatch(/asked to join \*\*Tzenkethi Coalition\*\*/);
    expect(history).toContain(`(by <@${carol.id}>)`);

    const nobody = await callbackData(t.command("faction", "whois", { member: t.bob.id }));
    expect(nobody.embeds[0].description).toContain("Belongs to no faction on this server.");
    expect(nobody.embeds[0].fields[0].value).toMatch(/left \*\*Klingon Empire\*\*/);
  });

  it("/faction info shows this server's roster size, leaders and notes", async () => {
    expect(
      await admin("faction-admin", "edit", { faction: "Talaxian", notes: "Muster on **Tuesdays** @everyone" }),
    ).toBe("Saved **Talaxian**.");
    const data = await callbackData(t.command("faction", "info", { name: "Talaxian" }, { user: t.bob.id }));
    const fields = Object.fromEntries(
      data.embeds[0].fields.map((f: { name: string; value: string }) => [f.name, f.value]),
    );
    expect(fields["On this server"]).toBe(`Members: 20\nLeaders: <@${recruits[5]}>\nJoining: open to all`);
    expect(fields["Server notes"]).toBe("Muster on **Tuesdays** @\u2060everyone");
    expect(data.allowed_mentions).toEqual({ parse: [], replied_user: false });

    const approval = await callbackData(t.command("faction", "info", { name: "Tzenkethi Coalition" }));
    const server = approval.embeds[0].fields.find((f: { name: string }) => f.name === "On this server").value;
    expect(server).toBe(`Members: 3\nLeaders: <@${carol.id}>\nJoining: needs approval`);
  });
});
