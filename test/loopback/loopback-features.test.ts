/**
 * The parts of the loopback Discord beyond the basic round trip: command
 * registration and typed options, role hierarchy, scheduled events, modals,
 * selects, RESUME, the 3-second rule, token isolation, sharding and
 * zlib-stream. Still a bare discord.js client, not the Khitomer bot.
 */
import zlib from "node:zlib";
import type { Interaction } from "discord.js";
import {
  ActionRowBuilder,
  ApplicationCommandOptionType,
  Client,
  DiscordAPIError,
  GatewayIntentBits,
  GuildScheduledEventEntityType,
  GuildScheduledEventPrivacyLevel,
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  Routes,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
} from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { chatInput, modalSubmit, stringSelect } from "./interactions.js";
import type { GuildSeed } from "./server.js";
import { distinctShardGuilds, LoopbackDiscord, shardIdForGuild, snowflake } from "./server.js";
import { delay } from "./wait.js";

const guildId = snowflake();
const channelId = snowflake();
const memberId = snowflake();
const envoyRoleId = snowflake();
const admiralRoleId = snowflake();

const seed: GuildSeed = {
  id: guildId,
  name: "Qo'noS",
  channels: [{ id: channelId, name: "great-hall" }],
  roles: [
    { id: envoyRoleId, name: "envoy", position: 1, permissions: "0" },
    { id: admiralRoleId, name: "admiral", position: 10, permissions: "0" },
  ],
  members: [{ user: { id: memberId, username: "worf" } }],
  botRolePosition: 5,
};

type Handler = (interaction: Interaction) => Promise<unknown>;

const handlers: Record<string, Handler> = {
  council: async (i) => {
    if (!i.isChatInputCommand()) return;
    const envoy = i.options.getUser("envoy")?.username ?? "nobody";
    await i.reply(
      `${i.options.getSubcommand()}|${i.options.getString("title", true)}|${i.options.getInteger("hours", true)}|${envoy}`,
    );
  },
  propose: async (i) => {
    if (!i.isChatInputCommand()) return;
    const terms = new TextInputBuilder().setCustomId("terms").setStyle(TextInputStyle.Paragraph);
    await i.showModal(
      new ModalBuilder()
        .setCustomId("proposal")
        .setTitle("Propose a treaty")
        .addLabelComponents(new LabelBuilder().setLabel("Terms").setTextInputComponent(terms)),
    );
  },
  proposal: async (i) =>
    i.isModalSubmit() &&
    i.reply({ content: `proposed: ${i.fields.getTextInputValue("terms")}`, flags: MessageFlags.Ephemeral }),
  pick: async (i) => {
    if (!i.isChatInputCommand()) return;
    const menu = new StringSelectMenuBuilder()
      .setCustomId("pick:faction")
      .addOptions({ label: "Klingon", value: "klingon" }, { label: "Romulan", value: "romulan" });
    await i.reply({
      content: "choose",
      components: [new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(menu)],
    });
  },
  "pick:faction": async (i) =>
    i.isStringSelectMenu() && i.update({ content: `picked ${i.values.join(",")}`, components: [] }),
  archive: async (i) =>
    i.isChatInputCommand() &&
    i.reply({ content: "attached", files: [{ attachment: Buffer.from("lore"), name: "lore.txt" }] }),
  receipt: async (i) => {
    if (!i.isChatInputCommand()) return;
    const response = await i.reply({ content: "receipt", withResponse: true });
    receipts.push(response.resource?.message?.id ?? "none");
  },
  sleepy: async (i) => {
    if (!i.isChatInputCommand()) return;
    await delay(SLEEPY_MS);
    await i.reply("too late").catch((error: unknown) => lateErrors.push(error));
  },
  ping: async (i) => i.isRepliable() && i.reply("pong"),
};

const DEADLINE_MS = 600;
const SLEEPY_MS = 700;
const receipts: string[] = [];
const lateErrors: unknown[] = [];

function key(interaction: Interaction): string {
  if (interaction.isMessageComponent() || interaction.isModalSubmit()) return interaction.customId;
  if (interaction.isCommand() || interaction.isAutocomplete()) return interaction.commandName;
  return "";
}

function startClient(discord: LoopbackDiscord, options: { shards?: "auto" } = {}): Promise<Client> {
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildScheduledEvents],
    rest: { api: discord.apiBase },
    ...options,
  });
  client.on("interactionCreate", (interaction) => void handlers[key(interaction)]?.(interaction));
  const ready = new Promise<Client>((resolve) => client.once("clientReady", () => resolve(client)));
  return client.login(discord.token).then(() => ready);
}

describe("loopback Discord features", () => {
  let discord: LoopbackDiscord;
  let client: Client;
  const base = () => ({ discord, guildId, channelId, user: memberId });

  beforeAll(async () => {
    discord = await LoopbackDiscord.start({ guilds: [seed], callbackDeadlineMs: DEADLINE_MS });
    client = await startClient(discord);
  });

  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  it("registers guild commands and types named options from the registered definition", async () => {
    await client.application?.commands.set(
      [
        {
          name: "council",
          description: "Council business",
          options: [
            {
              type: ApplicationCommandOptionType.Subcommand,
              name: "schedule",
              description: "Schedule a session",
              options: [
                { type: ApplicationCommandOptionType.String, name: "title", description: "Title", required: true },
                { type: ApplicationCommandOptionType.Integer, name: "hours", description: "Hours", required: true },
                { type: ApplicationCommandOptionType.User, name: "envoy", description: "Envoy" },
              ],
            },
          ],
        },
      ],
      guildId,
    );
    const command = discord.command("council", guildId);
    expect(command).toMatchObject({ guild_id: guildId, application_id: discord.applicationId });
    const payload = chatInput({
      ...base(),
      command,
      subcommand: "schedule",
      options: { title: "Treaty", hours: 2, envoy: memberId },
    });
    expect(payload.data.resolved?.users?.[memberId]?.username).toBe("worf");
    const callback = await discord.interact(payload).callback;
    expect(callback.data?.content).toBe("schedule|Treaty|2|worf");
    expect(() => chatInput({ ...base(), command, subcommand: "schedule", options: { title: "x" } })).toThrow(/hours/);
  });

  it("rejects command definitions Discord would reject", async () => {
    const error = await client.application?.commands
      .set([{ name: "Council", description: "Upper case" }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ code: 50035, status: 400 });
  });

  it("applies role changes below the bot and refuses those above it (50013)", async () => {
    const member = await client.guilds.cache.get(guildId)?.members.fetch(memberId);
    await member?.roles.add(envoyRoleId);
    expect(discord.memberObject(guildId, memberId)?.roles).toContain(envoyRoleId);
    await expect(member?.roles.add(admiralRoleId)).rejects.toMatchObject({ code: 50013, status: 403 });
    const lift = discord.forbid((request) => request.method === "DELETE" && request.route.includes("/roles/"));
    await expect(member?.roles.remove(envoyRoleId)).rejects.toMatchObject({ code: 50013 });
    lift();
    await member?.roles.remove(envoyRoleId);
    expect(discord.memberObject(guildId, memberId)?.roles).not.toContain(envoyRoleId);
  });

  it("stores scheduled events and validates their times", async () => {
    const guild = client.guilds.cache.get(guildId);
    const event = {
      name: "Council session",
      privacyLevel: GuildScheduledEventPrivacyLevel.GuildOnly,
      entityType: GuildScheduledEventEntityType.External,
      entityMetadata: { location: "Great Hall" },
    } as const;
    const start = Date.now() + 3_600_000;
    const created = await guild?.scheduledEvents.create({
      ...event,
      scheduledStartTime: start,
      scheduledEndTime: start + 3_600_000,
    });
    expect(discord.scheduledEvents(guildId)).toMatchObject([
      { id: created?.id, name: "Council session", entity_metadata: { location: "Great Hall" } },
    ]);
    const past = guild?.scheduledEvents.create({
      ...event,
      scheduledStartTime: Date.now() - 60_000,
      scheduledEndTime: start,
    });
    await expect(past).rejects.toMatchObject({ code: 50035 });
  });

  it("opens a modal and answers its submission ephemerally", async () => {
    const open = await discord.interact(chatInput({ ...base(), name: "propose" })).callback;
    expect(open.type).toBe(9);
    const submit = discord.interact(modalSubmit({ ...base(), modal: open.data, fields: { terms: "Peace" } }));
    await submit.settled();
    expect(submit.original()).toMatchObject({ content: "proposed: Peace", flags: MessageFlags.Ephemeral });
    expect(discord.messages(channelId).map((m) => m.content)).not.toContain("proposed: Peace");
  });

  it("updates a message from a string select", async () => {
    const menu = discord.interact(chatInput({ ...base(), name: "pick" }));
    await menu.settled();
    const message = menu.original();
    if (!message) throw new Error("menu missing");
    expect(() => stringSelect({ ...base(), customId: "pick:faction", values: ["ferengi"], message })).toThrow(
      /ferengi/,
    );
    const picked = discord.interact(
      stringSelect({ ...base(), customId: "pick:faction", values: ["romulan"], message }),
    );
    expect((await picked.callback).data?.content).toBe("picked romulan");
  });

  it("turns uploaded files into attachments and honours with_response", async () => {
    const archive = discord.interact(chatInput({ ...base(), name: "archive" }));
    await archive.settled();
    expect(archive.original()?.attachments).toMatchObject([{ filename: "lore.txt", size: 4 }]);
    const receipt = discord.interact(chatInput({ ...base(), name: "receipt" }));
    await receipt.settled();
    expect(receipts).toEqual([receipt.original()?.id]);
  });

  it("isolates interaction tokens and refuses a second acknowledgement", async () => {
    const first = discord.interact(chatInput({ ...base(), name: "ping" }));
    await first.callback;
    const other = chatInput({ ...base(), name: "ping" });
    const body = { type: 4, data: { content: "hijack" } };
    const wrongToken = client.rest.post(Routes.interactionCallback(first.payload.id, other.token), {
      body,
      auth: false,
    });
    await expect(wrongToken).rejects.toMatchObject({ code: 10062 });
    const again = client.rest.post(Routes.interactionCallback(first.payload.id, first.payload.token), {
      body,
      auth: false,
    });
    await expect(again).rejects.toMatchObject({ code: 40060 });
    const strangerWebhook = client.rest.post(Routes.webhook(discord.applicationId, other.token), {
      body: { content: "x" },
      auth: false,
    });
    await expect(strangerWebhook).rejects.toMatchObject({ code: 10015 });
  });

  it("answers 10062 when the first callback misses the deadline", async () => {
    const handle = discord.interact(chatInput({ ...base(), name: "sleepy" }), { timeoutMs: 100 });
    await expect(handle.callback).rejects.toThrow(/timed out/);
    await delay(SLEEPY_MS - 100 + 150);
    expect(lateErrors).toHaveLength(1);
    expect(lateErrors[0]).toMatchObject({ code: 10062 });
  });

  it("records unmodelled routes as unmatched 404s", async () => {
    await expect(client.rest.get(Routes.channelPins(channelId))).rejects.toMatchObject({ status: 404, code: 0 });
    const recorded = await discord.waitForRequest((r) => r.route === `/channels/${channelId}/pins`);
    expect(recorded).toMatchObject({ matched: false, status: 404 });
    expect(recorded.headers.authorization).toBe(`Bot ${discord.token}`);
  });

  it("sends GUILD_CREATE for guilds added at runtime and serves member chunks", async () => {
    const joined = new Promise((resolve) => client.once("guildCreate", resolve));
    const newGuildId = snowflake();
    discord.addGuild({
      id: newGuildId,
      name: "Rura Penthe",
      channels: [{ id: snowflake(), name: "mines" }],
      members: [{ user: { id: snowflake(), username: "kruge" } }],
    });
    await joined;
    const members = await client.guilds.cache.get(newGuildId)?.members.fetch();
    expect(members?.map((m) => m.user.username).sort()).toEqual(["kruge", discord.botUser.username].sort());
  });

  it("resumes after a reconnect request and keeps delivering interactions", async () => {
    const resumed = new Promise((resolve) => client.once("shardResume", resolve));
    discord.requestReconnect();
    await resumed;
    expect(discord.gatewayCloses.some((close) => close.code === 4200 && close.initiatedBy === "client")).toBe(true);
    const callback = await discord.interact(chatInput({ ...base(), name: "ping" })).callback;
    expect(callback.data?.content).toBe("pong");
  });
});

describe("loopback Discord sharding and transport", () => {
  it("routes each guild's events to the shard that owns it", async () => {
    const ids = distinctShardGuilds(2);
    const generalOf = new Map(ids.map((id) => [id, snowflake()]));
    const discord = await LoopbackDiscord.start({
      shardCount: 2,
      guilds: ids.map((id) => ({
        id,
        name: `guild-${id}`,
        channels: [{ id: generalOf.get(id) ?? "", name: "general" }],
      })),
    });
    const client = await startClient(discord, { shards: "auto" });
    try {
      expect(
        discord
          .sessions()
          .map((s) => s.shard)
          .sort(),
      ).toEqual([
        [0, 2],
        [1, 2],
      ]);
      for (const id of ids) {
        const payload = chatInput({ discord, guildId: id, channelId: generalOf.get(id) ?? "", name: "ping" });
        expect(discord.dispatch("INTERACTION_CREATE", payload)).toBe(1);
        expect(client.guilds.cache.get(id)?.shardId).toBe(shardIdForGuild(id, 2));
      }
    } finally {
      await client.destroy();
      await discord.close();
    }
  });

  it("speaks zlib-stream when a client asks for it", async () => {
    const discord = await LoopbackDiscord.start();
    const socket = new WebSocket(`${discord.gatewayUrl}?v=10&encoding=json&compress=zlib-stream`);
    const inflate = zlib.createInflate();
    const payloads: Array<{ op: number; t: string | null }> = [];
    socket.on("message", (data: Buffer) => {
      const chunks: Buffer[] = [];
      const collect = (chunk: Buffer) => chunks.push(chunk);
      inflate.on("data", collect);
      inflate.write(data);
      inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        inflate.off("data", collect);
        const payload = JSON.parse(Buffer.concat(chunks).toString()) as { op: number; t: string | null };
        payloads.push(payload);
        if (payload.op === 10)
          socket.send(JSON.stringify({ op: 2, d: { token: discord.token, intents: 1, properties: {} } }));
      });
    });
    try {
      await discord.waitForReady();
      await delay(50);
      expect(payloads.map((p) => p.t ?? p.op)).toEqual([10, "READY", "GUILD_CREATE"]);
    } finally {
      socket.close();
      await discord.close();
    }
  });
});

describe("loopback Discord: posts made once, and answers that never come", () => {
  it("with enforce_nonce, a second post with the same nonce returns the first message; a stalled post is made but never answered", async () => {
    const discord = await LoopbackDiscord.start({ guilds: [seed] });
    const post = (body: Record<string, unknown>) =>
      fetch(`${discord.apiBase}/v10/channels/${channelId}/messages`, {
        method: "POST",
        headers: { authorization: `Bot ${discord.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    try {
      const first = (await (await post({ content: "Session 1", nonce: "n-1", enforce_nonce: true })).json()) as {
        id: string;
      };
      const again = (await (await post({ content: "Session 1", nonce: "n-1", enforce_nonce: true })).json()) as {
        id: string;
      };
      expect(again.id).toBe(first.id);
      // Without enforce_nonce, Discord does not deduplicate.
      await post({ content: "Session 1", nonce: "n-1" });
      expect(discord.messages(channelId)).toHaveLength(2);

      const stall = discord.stallNext((request) => request.method === "POST", "after");
      const pending = post({ content: "Session 2" }).catch(() => "no answer");
      const caught = await stall.caught;
      expect(caught.body.content).toBe("Session 2");
      expect(discord.messages(channelId).map((m) => m.content)).toContain("Session 2");
      // Only the next matching request stalls.
      expect((await post({ content: "Session 3" })).status).toBe(200);
      await discord.close();
      expect(await pending).toBe("no answer");
    } finally {
      await discord.close();
    }
  });
});
