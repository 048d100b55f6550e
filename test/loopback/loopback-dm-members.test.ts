/**
 * Direct messages and member joins/leaves against the loopback Discord, with a
 * bare discord.js client: DM channels, 50007 refusals, GUILD_MEMBER_ADD/REMOVE
 * events (full and partial members) and the REST state behind them.
 */
import type { ClientEvents, ClientOptions } from "discord.js";
import { ChannelType, Client, DiscordAPIError, GatewayIntentBits, Partials, Routes } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GuildSeed } from "./server.js";
import { distinctShardGuilds, LoopbackDiscord, shardIdForGuild, snowflake } from "./server.js";

const guildId = snowflake();
const channelId = snowflake();
const councilRoleId = snowflake();
const martokId = snowflake();
const worfId = snowflake();
const kurnId = snowflake();
const gowronId = snowflake();
const droneId = snowflake();

const seed: GuildSeed = {
  id: guildId,
  name: "Qo'noS",
  ownerId: martokId,
  channels: [{ id: channelId, name: "great-hall" }],
  roles: [{ id: councilRoleId, name: "high-council", position: 1, permissions: "0" }],
  members: [
    { user: { id: martokId, username: "martok" } },
    { user: { id: worfId, username: "worf" } },
    { user: { id: kurnId, username: "kurn" } },
    { user: { id: gowronId, username: "gowron" }, roles: [councilRoleId] },
    { user: { id: droneId, username: "probe", bot: true } },
  ],
};

const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.DirectMessages];

async function startClient(discord: LoopbackDiscord, options: Partial<ClientOptions> = {}): Promise<Client> {
  const client = new Client({ intents: INTENTS, rest: { api: discord.apiBase }, ...options });
  const ready = new Promise<void>((resolve) => client.once("clientReady", () => resolve()));
  await client.login(discord.token);
  await ready;
  return client;
}

/** The first argument of the next `event` matching `predicate`. */
function nextEvent<E extends keyof ClientEvents>(
  client: Client,
  event: E,
  predicate: (...args: ClientEvents[E]) => boolean = () => true,
  timeoutMs = 2000,
): Promise<ClientEvents[E][0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`timed out waiting for ${String(event)}`));
    }, timeoutMs);
    const listener = (...args: ClientEvents[E]) => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      client.off(event, listener);
      resolve(args[0]);
    };
    client.on(event, listener);
  });
}

describe("loopback Discord direct messages and member events", () => {
  let discord: LoopbackDiscord;
  let client: Client;
  /** A second bot process that keeps partial members, as `Partials.GuildMember` users do. */
  let partialClient: Client;

  beforeAll(async () => {
    discord = await LoopbackDiscord.start({ guilds: [seed] });
    client = await startClient(discord);
    partialClient = await startClient(discord, { partials: [Partials.GuildMember] });
  });

  afterAll(async () => {
    await client?.destroy();
    await partialClient?.destroy();
    await discord?.close();
  });

  it("opens one DM channel per recipient and stores what the bot sends there", async () => {
    const echoed = nextEvent(client, "messageCreate", (message) => message.channel.type === ChannelType.DM);
    const user = await client.users.fetch(worfId);
    const sent = await user.send("Your request to join the Klingon Empire was approved.");

    expect(sent.channel.type).toBe(ChannelType.DM);
    expect(sent.author.id).toBe(discord.botUser.id);
    expect(discord.directMessageChannel(worfId)).toMatchObject({
      id: sent.channelId,
      type: ChannelType.DM,
      recipients: [{ id: worfId, username: "worf" }],
    });
    expect(discord.directMessages(worfId)).toMatchObject([
      { id: sent.id, content: "Your request to join the Klingon Empire was approved.", author: { id: sent.author.id } },
    ]);
    expect(discord.messages(sent.channelId)).toEqual(discord.directMessages(worfId));
    // DIRECT_MESSAGES sessions see the bot's own DM, as on Discord.
    expect((await echoed).id).toBe(sent.id);

    // Opening the DM again yields the same channel, now with a last message.
    const reopened = await client.rest.post(Routes.userChannels(), { body: { recipient_id: worfId } });
    expect(reopened).toMatchObject({ id: sent.channelId, type: ChannelType.DM, last_message_id: sent.id });
    expect((await client.users.createDM(worfId, { force: true })).id).toBe(sent.channelId);
    expect((await client.channels.fetch(sent.channelId, { force: true }))?.type).toBe(ChannelType.DM);

    await sent.edit("Approved by the High Council.");
    const extra = await user.send("temporary");
    await extra.delete();
    expect(discord.directMessages(worfId).map((m) => [m.id, m.content])).toEqual([
      [sent.id, "Approved by the High Council."],
    ]);
  });

  it("answers 50007 when the recipient refuses DMs, and opening the channel still succeeds", async () => {
    const reopen = discord.closeDirectMessages(kurnId);
    const error = await client.users.send(kurnId, "You are summoned.").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ code: 50007, status: 403, message: "Cannot send messages to this user" });
    const open = discord.requests.find(
      (r) => r.route === "/users/@me/channels" && (r.body as { recipient_id?: string }).recipient_id === kurnId,
    );
    expect(open?.status).toBe(200);
    expect(discord.directMessages(kurnId)).toEqual([]);

    reopen();
    await client.users.send(kurnId, "Qapla'");
    expect(discord.directMessages(kurnId).map((m) => m.content)).toEqual(["Qapla'"]);
  });

  it("refuses DMs to bots, to the bot itself and to unknown users", async () => {
    await expect(client.users.send(droneId, "beep")).rejects.toMatchObject({ code: 50007, status: 403 });
    await expect(client.users.createDM(discord.botUser.id)).rejects.toMatchObject({ code: 50007, status: 400 });
    await expect(client.users.createDM(snowflake())).rejects.toMatchObject({ code: 10013, status: 404 });
  });

  it("dispatches GUILD_MEMBER_REMOVE and GUILD_MEMBER_ADD, and REST follows", async () => {
    const guild = client.guilds.cache.get(guildId);
    if (!guild) throw new Error("guild not cached");
    const countBefore = guild.memberCount;
    // The partial client has forgotten gowron: only Partials.GuildMember lets it hear of the leave.
    partialClient.guilds.cache.get(guildId)?.members.cache.delete(gowronId);
    const removed = nextEvent(client, "guildMemberRemove");
    const removedPartial = nextEvent(partialClient, "guildMemberRemove");

    expect(discord.removeMember(guildId, gowronId)).toBe(2);
    const member = await removed;
    expect(member).toMatchObject({ id: gowronId, partial: false });
    expect(member.user.username).toBe("gowron");
    expect(member.roles.cache.has(councilRoleId)).toBe(true);
    const partial = await removedPartial;
    expect(partial).toMatchObject({ id: gowronId, partial: true });
    expect(guild.members.cache.has(gowronId)).toBe(false);
    expect(guild.memberCount).toBe(countBefore - 1);
    expect(discord.memberObject(guildId, gowronId)).toBeUndefined();
    await expect(guild.members.fetch({ user: gowronId, force: true })).rejects.toMatchObject({
      code: 10007,
      status: 404,
    });
    // No mutual guild left: Discord refuses the DM.
    await expect(client.users.send(gowronId, "Farewell")).rejects.toMatchObject({ code: 50007 });

    const added = nextEvent(client, "guildMemberAdd");
    const addedPartial = nextEvent(partialClient, "guildMemberAdd");
    expect(discord.addMember(guildId, { user: { id: gowronId, username: "gowron" }, roles: [councilRoleId] })).toBe(2);
    const joined = await added;
    expect(joined).toMatchObject({ id: gowronId, partial: false });
    expect(joined.roles.cache.has(councilRoleId)).toBe(true);
    expect((await addedPartial).id).toBe(gowronId);
    expect(guild.memberCount).toBe(countBefore);
    const fetched = await guild.members.fetch({ user: gowronId, force: true });
    expect(fetched.roles.cache.has(councilRoleId)).toBe(true);
    await client.users.send(gowronId, "Welcome back to the Council.");
    expect(discord.directMessages(gowronId).map((m) => m.content)).toEqual(["Welcome back to the Council."]);
  });

  it("rejects member changes Discord could not make", () => {
    expect(() => discord.removeMember(guildId, martokId)).toThrow(/owns/);
    expect(() => discord.removeMember(guildId, discord.botUser.id)).toThrow(/GUILD_DELETE/);
    expect(() => discord.addMember(guildId, { user: { id: worfId, username: "worf" } })).toThrow(/already/);
    expect(() => discord.removeMember(guildId, snowflake())).toThrow(/Unknown Member/);
  });
});

describe("loopback Discord member events with shards", () => {
  it("routes member events to the shard that owns the guild", async () => {
    const ids = distinctShardGuilds(2);
    const memberOf = new Map(ids.map((id) => [id, snowflake()]));
    const ownerId = snowflake();
    const discord = await LoopbackDiscord.start({
      shardCount: 2,
      guilds: ids.map((id) => ({
        id,
        name: `guild-${id}`,
        channels: [{ id: snowflake(), name: "general" }],
        members: [{ user: { id: ownerId, username: "owner" } }],
      })),
    });
    const client = await startClient(discord, { shards: "auto" });
    try {
      for (const id of ids) {
        const userId = memberOf.get(id) ?? "";
        const added = nextEvent(client, "guildMemberAdd", (member) => member.guild.id === id);
        expect(discord.addMember(id, { user: { id: userId, username: `joiner-${id}` } })).toBe(1);
        expect((await added).guild.shardId).toBe(shardIdForGuild(id, 2));
        const removed = nextEvent(client, "guildMemberRemove", (member) => member.guild.id === id);
        expect(discord.removeMember(id, userId)).toBe(1);
        expect((await removed).id).toBe(userId);
      }
      // DMs carry no guild: they work from any shard's REST and are dispatched on shard 0.
      const echoed = nextEvent(client, "messageCreate", (message) => message.channel.type === ChannelType.DM);
      const sent = await client.users.send(ownerId, "sharded DM");
      expect((await echoed).id).toBe(sent.id);
      expect(discord.directMessages(ownerId)).toHaveLength(1);
    } finally {
      await client.destroy();
      await discord.close();
    }
  });
});
