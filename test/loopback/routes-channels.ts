/**
 * Channel routes: the channel object, and messages the bot posts, reads,
 * edits and deletes. Deleted (removed) channels answer 10003 like Discord.
 */

import type { APIMessage, APIMessageReference } from "discord.js";
import { MessageFlags, MessageType, PermissionFlagsBits } from "discord.js";
import { apiChannel } from "./api-objects.js";
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
      handle: (r) => ok(apiChannel(core.world.channel(r.params.channelId ?? ""))),
    },
    { method: "POST", path: "/channels/:channelId/typing", auth: true, handle: (r) => typing(core, r) },
    { method: "GET", path: messages, auth: true, handle: (r) => ok(listMessages(core, r)) },
    { method: "POST", path: messages, auth: true, handle: (r) => sendMessage(core, r) },
    { method: "GET", path: message, auth: true, handle: (r) => ok(readMessage(core, r)) },
    { method: "PATCH", path: message, auth: true, handle: (r) => editMessage(core, r) },
    { method: "DELETE", path: message, auth: true, handle: (r) => deleteMessage(core, r) },
  ];
}

function typing(core: Core, request: RouteRequest): RouteResult {
  core.requireChannelAccess(request.params.channelId ?? "");
  return noContent();
}

function textChannel(core: Core, request: RouteRequest) {
  const channelId = request.params.channelId ?? "";
  core.requireChannelAccess(channelId);
  const channel = core.world.channel(channelId);
  if (!isTextBased(channel)) throw discordErrors.cannotSendInNonText();
  return channel;
}

function listMessages(core: Core, request: RouteRequest): APIMessage[] {
  const channel = textChannel(core, request);
  core.requireBotPermission(channel.guildId, PermissionFlagsBits.ReadMessageHistory);
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
  core.requireBotPermission(channel.guildId, PermissionFlagsBits.SendMessages);
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
  channel.lastMessageId = message.id;
  core.announceMessage("create", message);
  return ok(message);
}

function messageReference(
  core: Core,
  request: RouteRequest,
  guildId: string,
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
    reference: { type: 0, message_id: messageId, channel_id: channelId, guild_id: guildId },
    message: referenced ?? null,
  };
}

function readMessage(core: Core, request: RouteRequest): APIMessage {
  const channel = textChannel(core, request);
  core.requireBotPermission(channel.guildId, PermissionFlagsBits.ReadMessageHistory);
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
  if (current.author.id !== core.world.bot.id)
    core.requireBotPermission(channel.guildId, PermissionFlagsBits.ManageMessages);
  core.messages.delete(current.id);
  core.announceMessage("delete", current);
  return noContent();
}
