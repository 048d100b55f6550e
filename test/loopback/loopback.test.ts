/**
 * Proves the loopback Discord with a bare discord.js Client (not the Khitomer
 * bot): real login, real gateway, real REST, assertions on the JSON it sent.
 */

import type { Interaction, TextChannel } from "discord.js";
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  GatewayIntentBits,
  MessageFlags,
} from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { autocomplete, button, chatInput } from "./interactions.js";
import { LoopbackDiscord, snowflake } from "./server.js";

const guildId = snowflake();
const generalId = snowflake();
const doomedId = snowflake();
const memberId = snowflake();

type Handler = (interaction: Interaction) => Promise<unknown>;

/** Minimal bot under test: each handler exercises one discord.js response path. */
const handlers: Record<string, Handler> = {
  ping: async (i) =>
    i.isChatInputCommand() && i.reply({ content: `pong <@${i.user.id}>`, allowedMentions: { parse: [] } }),
  lore: async (i) => {
    if (!i.isAutocomplete()) return;
    const typed = i.options.getFocused().toLowerCase();
    const topics = ["Khitomer Accords", "Klingon Empire", "Romulan Neutral Zone"];
    await i.respond(topics.filter((t) => t.toLowerCase().includes(typed)).map((t) => ({ name: t, value: t })));
  },
  panel: async (i) => {
    if (!i.isChatInputCommand()) return;
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId("panel:open").setLabel("Open").setStyle(ButtonStyle.Primary),
    );
    await i.reply({ content: "closed", components: [row] });
  },
  "panel:open": async (i) => i.isButton() && i.update({ content: "opened", components: [] }),
  slow: async (i) => {
    if (!i.isChatInputCommand()) return;
    await i.deferReply();
    await i.editReply("done after thinking");
  },
  multi: async (i) => {
    if (!i.isChatInputCommand()) return;
    await i.reply("first");
    await i.followUp({ content: "second, quietly", flags: MessageFlags.Ephemeral });
  },
};

function handlerKey(interaction: Interaction): string {
  if (interaction.isMessageComponent()) return interaction.customId;
  if (interaction.isCommand() || interaction.isAutocomplete()) return interaction.commandName;
  return "";
}

function newClient(discord: LoopbackDiscord): Client {
  return new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.apiBase } });
}

describe("loopback Discord with a bare discord.js client", () => {
  let discord: LoopbackDiscord;
  let client: Client;
  const handlerErrors: unknown[] = [];

  beforeAll(async () => {
    discord = await LoopbackDiscord.start({
      guilds: [
        {
          id: guildId,
          name: "Khitomer Outpost",
          channels: [
            { id: generalId, name: "general" },
            { id: doomedId, name: "doomed" },
          ],
          members: [{ user: { id: memberId, username: "worf" } }],
        },
      ],
    });
    client = newClient(discord);
    client.on("interactionCreate", (interaction) => {
      handlers[handlerKey(interaction)]?.(interaction).catch((error: unknown) => handlerErrors.push(error));
    });
    const ready = new Promise((resolve) => client.once("clientReady", resolve));
    await client.login(discord.token);
    await ready;
  });

  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
    expect(handlerErrors).toEqual([]);
  });

  const fixture = () => ({ discord, guildId, channelId: generalId, user: memberId });

  it("logs in and becomes ready with the seeded guild cached", () => {
    const guild = client.guilds.cache.get(guildId);
    expect(guild?.name).toBe("Khitomer Outpost");
    expect(guild?.available).toBe(true);
    expect(guild?.channels.cache.map((channel) => channel.name).sort()).toEqual(["doomed", "general"]);
    expect(client.user?.id).toBe(discord.botUser.id);
    expect(discord.sessions()).toMatchObject([{ connected: true, ready: true, shard: [0, 1] }]);
    expect(discord.requests.map((r) => `${r.method} ${r.route}`)).toContain("GET /gateway/bot");
  });

  it("answers a chat-input command with a reply", async () => {
    const handle = discord.interact(chatInput({ ...fixture(), name: "ping" }));
    const callback = await handle.callback;
    expect(callback.type).toBe(4);
    expect(callback.data).toMatchObject({ content: `pong <@${memberId}>`, allowed_mentions: { parse: [] } });
    await handle.settled();
    const original = handle.original();
    expect(original).toMatchObject({ content: `pong <@${memberId}>`, channel_id: generalId, mentions: [] });
    expect(discord.messages(generalId).map((m) => m.id)).toContain(original?.id);
  });

  it("answers autocomplete with choices", async () => {
    const command = { name: "lore", options: [{ type: 3, name: "topic", description: "Topic", autocomplete: true }] };
    const handle = discord.interact(autocomplete({ ...fixture(), command, focused: "topic", value: "kli" }));
    const callback = await handle.callback;
    expect(callback).toEqual({ type: 8, data: { choices: [{ name: "Klingon Empire", value: "Klingon Empire" }] } });
  });

  it("updates the message a button sits on", async () => {
    const panel = discord.interact(chatInput({ ...fixture(), name: "panel" }));
    await panel.settled();
    const message = panel.original();
    if (!message) throw new Error("panel reply missing");
    const click = discord.interact(button({ ...fixture(), customId: "panel:open", message }));
    const callback = await click.callback;
    expect(callback).toEqual({ type: 7, data: expect.objectContaining({ content: "opened", components: [] }) });
    await click.settled();
    expect(discord.message(message.id)).toMatchObject({ content: "opened", components: [] });
    expect(discord.message(message.id)?.edited_timestamp).not.toBeNull();
  });

  it("turns deferReply + editReply into a PATCH of @original", async () => {
    const handle = discord.interact(chatInput({ ...fixture(), name: "slow" }));
    expect((await handle.callback).type).toBe(5);
    const patch = await discord.waitForRequest(
      (r) => r.method === "PATCH" && r.route.endsWith(`/${handle.payload.token}/messages/@original`),
    );
    expect(patch.body).toMatchObject({ content: "done after thinking" });
    await handle.settled();
    expect(handle.original()).toMatchObject({ content: "done after thinking", flags: 0 });
  });

  it("sends an ephemeral follow-up after the reply", async () => {
    const handle = discord.interact(chatInput({ ...fixture(), name: "multi" }));
    const followUp = await handle.waitForFollowUp(1);
    expect(followUp).toMatchObject({ content: "second, quietly", flags: MessageFlags.Ephemeral });
    expect(handle.original()?.content).toBe("first");
    const channelContents = discord.messages(generalId).map((m) => m.content);
    expect(channelContents).toContain("first");
    expect(channelContents).not.toContain("second, quietly");
  });

  it("posts and edits a channel message", async () => {
    const channel = client.channels.cache.get(generalId) as TextChannel;
    const sent = await channel.send("Council convenes at dawn");
    await sent.edit("Council convenes at dusk");
    const stored = discord.message(sent.id);
    expect(stored).toMatchObject({
      content: "Council convenes at dusk",
      channel_id: generalId,
      author: { id: discord.botUser.id },
    });
    expect(stored?.edited_timestamp).not.toBeNull();
    const routes = discord.requests
      .filter((r) => r.route.startsWith(`/channels/${generalId}/messages`))
      .map((r) => r.method);
    expect(routes).toEqual(["POST", "PATCH"]);
  });

  it("answers Unknown Channel (10003) for a deleted channel", async () => {
    const channel = client.channels.cache.get(doomedId) as TextChannel;
    discord.removeChannel(guildId, doomedId, { notify: false });
    const error = await channel.send("anyone here?").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ code: 10003, status: 404 });
  });

  it("sees the gateway socket close when a client is destroyed", async () => {
    const before = new Set(discord.sessions().map((session) => session.sessionId));
    const second = newClient(discord);
    await second.login(discord.token);
    const fresh = discord.sessions().find((session) => !before.has(session.sessionId));
    if (!fresh) throw new Error("second client did not open a session");
    await second.destroy();
    const close = await discord.waitForGatewayClose((c) => c.sessionId === fresh.sessionId);
    expect(close).toMatchObject({ code: 1000, initiatedBy: "client" });
    expect(discord.sessions().map((session) => session.sessionId)).not.toContain(fresh.sessionId);
  });
});
