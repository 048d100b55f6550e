/**
 * Channel routes: the channel object, and messages the bot posts, reads,
 * edits and deletes, in guild channels and DM channels alike. Deleted
 * (removed) channels answer 10003 like Discord; DMs the recipient refuses
 * answer 50007.
 */

import type { APIMessage, APIMessageReference } from "discord.js";
import { MessageFlags, MessageType, PermissionFlagsBits } from "discord.js";
import { apiChannel, apiDmChannel } from "./api-objects.js";
import type { Core } from "./core.js";
import { DiscordHttpError, discordErrors } from "./errors.js";
import { asObject, numberField, stringField } from "./json.js";
import { applyMessageEdit, buildMessage } from "./messages.js";
import type { RouteDefinition, RouteRequest, RouteResult } from "./rest.js";
import { noContent, ok } from "./rest.js";
import { isTextBased } from "./world.js";

export function channelRoutes(core: Core): RouteDefinition[] {
  const messages = "/channels/:channelId/messages";
  const message = `${messages}/:messageId`;
  return [
    {
      method: "GET",
      path: "/channels/:channelId",
      auth: true,
      handle: (r) => ok(channelObject(core, r.params.channelId ?? "")),
    },
    { method: "POST", path: "/users/@me/channels", auth: true, handle: (r) => ok(openDm(core, r)) },
    { method: "POST", path: "/channels/:channelId/typing", auth: true, handle: (r) => typing(core, r) },
    { method: "GET", path: messages, auth: true, handle: (r) => ok(listMessages(core, r)) },
    { method: "POST", path: messages, auth: true, handle: (r) => sendMessage(core, r) },
    { method: "GET", path: message, auth: true, handle: (r) => ok(readMessage(core, r)) },
    { method: "PATCH", path: message, auth: true, handle: (r) => editMessage(core, r) },
    { method: "DELETE", path: message, auth: true, handle: (r) => deleteMessage(core, r) },
  ];
}

/** Where messages go: a guild text channel, or a DM channel (no guild, no permission checks). */
interface TextTarget {
  id: string;
  guildId: string | null;
  /** Set for DM channels. */
  recipientId: string | null;
  record: { lastMessageId: string | null };
}

function channelObject(core: Core, channelId: string) {
  const dm = core.world.dmChannels.get(channelId);
  return dm ? apiDmChannel(core.world, dm) : apiChannel(core.world.channel(channelId));
}

/**
 * Create DM: the same channel for the same recipient every time. It succeeds
 * even when the user refuses DMs; only sending fails (50007), as on Discord.
 */
function openDm(core: Core, request: RouteRequest) {
  const recipientId = stringField(request.body, "recipient_id");
  if (!recipientId) throw discordErrors.invalidFormBody("recipient_id", "BASE_TYPE_REQUIRED", "This field is required");
  return apiDmChannel(core.world, core.world.openDm(recipientId));
}

function typing(core: Core, request: RouteRequest): RouteResult {
  const channelId = request.params.channelId ?? "";
  if (!core.world.dmChannels.has(channelId)) core.requireChannelAccess(channelId);
  return noContent();
}

function textChannel(core: Core, request: RouteRequest): TextTarget {
  const channelId = request.params.channelId ?? "";
  const dm = core.world.dmChannels.get(channelId);
  if (dm) return { id: dm.id, guildId: null, recipientId: dm.recipientId, record: dm };
  core.requireChannelAccess(channelId);
  const channel = core.world.channel(channelId);
  if (!isTextBased(channel)) throw discordErrors.cannotSendInNonText();
  return { id: channel.id, guildId: channel.guildId, recipientId: null, record: channel };
}

/** Guild permission check; DMs have no permissions to check. */
function requirePermission(core: Core, target: TextTarget, permission: bigint): void {
  if (target.guildId !== null) core.requireBotPermission(target.guildId, permission);
}

function listMessages(core: Core, request: RouteRequest): APIMessage[] {
  const channel = textChannel(core, request);
  requirePermission(core, channel, PermissionFlagsBits.ReadMessageHistory);
  const limit = Math.min(100, Math.max(1, Number(request.query.limit ?? 50)));
  const { before, after } = request.query;
  // Discord returns newest first; ids order messages in time.
  return core.messages
    .inChannel(channel.id)
    .filter(
      (message) =>
        (before === undefined || BigInt(message.id) < BigInt(before)) &&
        (after === undefined || BigInt(message.id) > BigInt(after)),
    )
    .reverse()
    .slice(0, limit);
}

function sendMessage(core: Core, request: RouteRequest): RouteResult {
  const channel = textChannel(core, request);
  requirePermission(core, channel, PermissionFlagsBits.SendMessages);
  if (channel.recipientId !== null && core.world.dmRefused(channel.recipientId)) throw discordErrors.cannotSendToUser();
  const nonce = request.body.nonce;
  if (request.body.enforce_nonce === true && (typeof nonce === "string" || typeof nonce === "number")) {
    const earlier = core.messages.byNonce(core.botUser().id, nonce);
    if (earlier) return ok(earlier);
  }
  const reference = messageReference(core, request, channel.guildId);
  // Only interactions can be ephemeral; Discord ignores the flag on channel messages.
  const body = { ...request.body, flags: (numberField(request.body, "flags") ?? 0) & ~MessageFlags.Ephemeral };
  const message = buildMessage(
    body,
    request.files,
    {
      channelId: channel.id,
      author: core.botUser(),
      type: reference ? MessageType.Reply : MessageType.Default,
      ...(reference ? { reference: reference.reference, referencedMessage: reference.message } : {}),
    },
    core.mentionContext(channel.id),
  );
  core.messages.add(message);
  core.messages.rememberNonce(message);
  channel.record.lastMessageId = message.id;
  core.announceMessage("create", message);
  return ok(message);
}

function messageReference(
  core: Core,
  request: RouteRequest,
  guildId: string | null,
): { reference: APIMessageReference; message: APIMessage | null } | undefined {
  const raw = asObject(request.body.message_reference);
  const messageId = stringField(raw, "message_id");
  if (!messageId) return undefined;
  const channelId = stringField(raw, "channel_id") ?? request.params.channelId ?? "";
  const referenced = core.messages.get(messageId);
  if (!referenced && raw.fail_if_not_exists !== false) {
    throw discordErrors.invalidFormBody("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message");
  }
  return {
    reference: { type: 0, message_id: messageId, channel_id: channelId, ...(guildId ? { guild_id: guildId } : {}) },
    message: referenced ?? null,
  };
}

function readMessage(core: Core, request: RouteRequest): APIMessage {
  const channel = textChannel(core, request);
  requirePermission(core, channel, PermissionFlagsBits.ReadMessageHistory);
  return core.messages.require(request.params.messageId ?? "", channel.id);
}

function editMessage(core: Core, request: RouteRequest): RouteResult {
  const channel = textChannel(core, request);
  const current = core.messages.require(request.params.messageId ?? "", channel.id);
  if (current.author.id !== core.world.bot.id) {
    throw new DiscordHttpError(403, { message: "Cannot edit a message authored by another user", code: 50005 });
  }
  const updated = applyMessageEdit(current, request.body, request.files, core.mentionContext(channel.id));
  core.messages.replace(updated);
  core.announceMessage("update", updated);
  return ok(updated);
}

function deleteMessage(core: Core, request: RouteRequest): RouteResult {
  const channel = textChannel(core, request);
  const current = core.messages.require(request.params.messageId ?? "", channel.id);
  if (current.author.id !== core.world.bot.id) {
    // Nobody may delete the other side's messages in a DM.
    if (channel.guildId === null) throw discordErrors.cannotExecuteOnDm();
    core.requireBotPermission(channel.guildId, PermissionFlagsBits.ManageMessages);
  }
  core.messages.delete(current.id);
  core.announceMessage("delete", current);
  return noContent();
}
