/**
 * Interaction responses: POST /interactions/:id/:token/callback and the
 * interaction webhook (/webhooks/:app/:token…) used for @original and
 * follow-ups. A token only ever addresses its own interaction.
 */

import type {
  APIApplicationCommandInteractionMetadata,
  APIInteraction,
  APIMessage,
  APIMessageComponentInteractionMetadata,
  APIMessageInteraction,
  APIMessageInteractionMetadata,
  APIUser,
} from "discord.js";
import {
  ApplicationCommandType,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  MessageType,
} from "discord.js";
import type { Core } from "./core.js";
import { discordErrors } from "./errors.js";
import type { InteractionRecord } from "./interaction-state.js";
import type { JsonObject } from "./json.js";
import { arrayField, asObject, clone, isObject, numberField, objectArray, stringField } from "./json.js";
import type { MentionContext, MessageOrigin, UploadedFile } from "./messages.js";
import { applyMessageEdit, buildMessage, isLoading, loadingMessage } from "./messages.js";
import type { RouteDefinition, RouteRequest, RouteResult } from "./rest.js";
import { noContent, ok } from "./rest.js";

const ALLOWED_CALLBACKS: Record<number, ReadonlySet<number>> = {
  [InteractionType.ApplicationCommand]: new Set([4, 5, 9, 10, 12]),
  [InteractionType.MessageComponent]: new Set([4, 5, 6, 7, 9, 10]),
  [InteractionType.ApplicationCommandAutocomplete]: new Set([8]),
  [InteractionType.ModalSubmit]: new Set([4, 5, 6, 7, 10]),
};

export function interactionRoutes(core: Core): RouteDefinition[] {
  const webhookMessage = "/webhooks/:applicationId/:token/messages/:messageId";
  return [
    {
      method: "POST",
      path: "/interactions/:interactionId/:token/callback",
      auth: false,
      handle: (r) => respond(core, r),
    },
    { method: "POST", path: "/webhooks/:applicationId/:token", auth: false, handle: (r) => createFollowUp(core, r) },
    {
      method: "GET",
      path: webhookMessage,
      auth: false,
      handle: (r) => ok(core.messages.require(webhookMessageId(core, r))),
    },
    { method: "PATCH", path: webhookMessage, auth: false, handle: (r) => editWebhookMessage(core, r) },
    { method: "DELETE", path: webhookMessage, auth: false, handle: (r) => deleteWebhookMessage(core, r) },
  ];
}

function respond(core: Core, request: RouteRequest): RouteResult {
  const record = core.interactions.withId(request.params.interactionId ?? "");
  if (!record || record.token !== request.params.token) throw discordErrors.unknownInteraction();
  if (record.callback) throw discordErrors.alreadyAcknowledged();
  if (Date.now() - record.dispatchedAt > core.settings.callbackDeadlineMs) throw discordErrors.unknownInteraction();
  const type = numberField(request.body, "type") ?? -1;
  const data = isObject(request.body.data) ? request.body.data : undefined;
  assertCallbackAllowed(record.payload, type);
  const message = applyCallback(core, record, type, data ?? {}, request.files);
  record.callback = { type, ...(data ? { data: clone(data) } : {}) };
  record.touch();
  if (request.query.with_response !== "true") return noContent();
  return ok(callbackResponse(record, type, message));
}

function assertCallbackAllowed(payload: APIInteraction, type: number): void {
  const allowed = ALLOWED_CALLBACKS[payload.type]?.has(type) ?? false;
  const needsMessage =
    type === InteractionResponseType.DeferredMessageUpdate || type === InteractionResponseType.UpdateMessage;
  if (!allowed || (needsMessage && !payload.message)) {
    throw discordErrors.invalidFormBody(
      "type",
      "INTERACTION_RESPONSE_TYPE_INVALID",
      `Interaction response type ${type} is invalid for interaction type ${payload.type}`,
    );
  }
}

function applyCallback(
  core: Core,
  record: InteractionRecord,
  type: number,
  data: JsonObject,
  files: UploadedFile[],
): APIMessage | undefined {
  switch (type) {
    case InteractionResponseType.ChannelMessageWithSource:
      return storeOriginal(
        core,
        record,
        buildMessage(data, files, interactionOrigin(core, record), mentionContext(core, record)),
      );
    case InteractionResponseType.DeferredChannelMessageWithSource: {
      const ephemeral = ((numberField(data, "flags") ?? 0) & MessageFlags.Ephemeral) !== 0;
      return storeOriginal(core, record, loadingMessage(interactionOrigin(core, record), ephemeral));
    }
    case InteractionResponseType.DeferredMessageUpdate:
      record.originalMessageId = sourceMessage(core, record).id;
      return undefined;
    case InteractionResponseType.UpdateMessage:
      return updateSourceMessage(core, record, data, files);
    case InteractionResponseType.ApplicationCommandAutocompleteResult:
      validateChoices(data);
      return undefined;
    case InteractionResponseType.Modal:
      validateModal(data);
      return undefined;
    default:
      return undefined;
  }
}

function storeOriginal(core: Core, record: InteractionRecord, message: APIMessage): APIMessage {
  core.messages.add(message, { interactionId: record.id });
  record.originalMessageId = message.id;
  core.announceMessage("create", message);
  return message;
}

/** The message a component sits on; adopted into the store the first time an interaction references it. */
function sourceMessage(core: Core, record: InteractionRecord): APIMessage {
  const source = record.payload.message;
  if (!source) throw discordErrors.unknownMessage();
  const stored = core.messages.get(source.id);
  if (stored) return stored;
  core.messages.add(clone(source));
  return source;
}

function updateSourceMessage(
  core: Core,
  record: InteractionRecord,
  data: JsonObject,
  files: UploadedFile[],
): APIMessage {
  const updated = applyMessageEdit(sourceMessage(core, record), data, files, mentionContext(core, record));
  core.messages.replace(updated);
  record.originalMessageId = updated.id;
  core.announceMessage("update", updated);
  return updated;
}

function callbackResponse(record: InteractionRecord, type: number, message: APIMessage | undefined): JsonObject {
  const withMessage =
    type === InteractionResponseType.ChannelMessageWithSource || type === InteractionResponseType.UpdateMessage;
  const responseMessage = record.originalMessageId
    ? {
        response_message_id: record.originalMessageId,
        response_message_loading: type === InteractionResponseType.DeferredChannelMessageWithSource,
        response_message_ephemeral: ((message?.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
      }
    : {};
  return {
    interaction: { id: record.id, type: record.payload.type, ...responseMessage },
    resource: { type, ...(withMessage && message ? { message } : {}) },
  };
}

function validateChoices(data: JsonObject): void {
  const choices = arrayField(data, "choices");
  if (!choices) throw discordErrors.invalidFormBody("data.choices", "BASE_TYPE_REQUIRED", "This field is required");
  if (choices.length > 25)
    throw discordErrors.invalidFormBody("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
  objectArray(choices).forEach((choice, index) => {
    const name = stringField(choice, "name") ?? "";
    if (name.length < 1 || name.length > 100) {
      throw discordErrors.invalidFormBody(
        `data.choices.${index}.name`,
        "BASE_TYPE_BAD_LENGTH",
        "Must be between 1 and 100 in length.",
      );
    }
    const value = choice.value;
    if (typeof value === "string" ? value.length > 100 : typeof value !== "number") {
      throw discordErrors.invalidFormBody(
        `data.choices.${index}.value`,
        "BASE_TYPE_BAD_LENGTH",
        "Must be between 1 and 100 in length.",
      );
    }
  });
}

function validateModal(data: JsonObject): void {
  const title = stringField(data, "title") ?? "";
  if (title.length < 1 || title.length > 45)
    throw discordErrors.invalidFormBody("data.title", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.");
  const customId = stringField(data, "custom_id") ?? "";
  if (customId.length < 1 || customId.length > 100) {
    throw discordErrors.invalidFormBody(
      "data.custom_id",
      "BASE_TYPE_BAD_LENGTH",
      "Must be between 1 and 100 in length.",
    );
  }
  const components = arrayField(data, "components") ?? [];
  if (components.length < 1 || components.length > 5) {
    throw discordErrors.invalidFormBody(
      "data.components",
      "BASE_TYPE_BAD_LENGTH",
      "Must be between 1 and 5 in length.",
    );
  }
}

function createFollowUp(core: Core, request: RouteRequest): RouteResult {
  const record = webhookRecord(core, request);
  const original = record.originalMessageId ? core.messages.get(record.originalMessageId) : undefined;
  let message: APIMessage;
  if (
    original &&
    isLoading(original) &&
    record.callback?.type === InteractionResponseType.DeferredChannelMessageWithSource
  ) {
    // Discord turns the first follow-up after a deferred reply into that reply, keeping its ephemeral state.
    message = applyMessageEdit(
      original,
      { ...request.body, flags: original.flags ?? 0 },
      request.files,
      mentionContext(core, record),
    );
    core.messages.replace(message);
    core.announceMessage("update", message);
  } else {
    message = buildMessage(
      request.body,
      request.files,
      interactionOrigin(core, record, { followUp: true }),
      mentionContext(core, record),
    );
    core.messages.add(message, { interactionId: record.id });
    core.announceMessage("create", message);
  }
  record.followUpIds.push(message.id);
  record.touch();
  return request.query.wait === "true" ? ok(message) : noContent();
}

function editWebhookMessage(core: Core, request: RouteRequest): RouteResult {
  const record = webhookRecord(core, request);
  const current = core.messages.require(webhookMessageId(core, request));
  const updated = applyMessageEdit(current, request.body, request.files, mentionContext(core, record));
  core.messages.replace(updated);
  core.announceMessage("update", updated);
  record.touch();
  return ok(updated);
}

function deleteWebhookMessage(core: Core, request: RouteRequest): RouteResult {
  const record = webhookRecord(core, request);
  const deleted = core.messages.delete(webhookMessageId(core, request));
  if (!deleted) throw discordErrors.unknownMessage();
  core.announceMessage("delete", deleted);
  record.touch();
  return noContent();
}

/** The interaction webhook exists only once the interaction has been acknowledged. */
function webhookRecord(core: Core, request: RouteRequest): InteractionRecord {
  const record = core.interactions.withToken(request.params.token ?? "");
  if (request.params.applicationId !== core.applicationId || !record || !record.callback)
    throw discordErrors.unknownWebhook();
  const type = record.callback.type;
  if (type === InteractionResponseType.ApplicationCommandAutocompleteResult) throw discordErrors.unknownWebhook();
  return record;
}

function webhookMessageId(core: Core, request: RouteRequest): string {
  const record = webhookRecord(core, request);
  const messageId = request.params.messageId ?? "";
  if (messageId === "@original") {
    if (!record.originalMessageId) throw discordErrors.unknownMessage();
    return record.originalMessageId;
  }
  if (messageId === record.originalMessageId || record.followUpIds.includes(messageId)) return messageId;
  throw discordErrors.unknownMessage();
}

function interactionOrigin(core: Core, record: InteractionRecord, options: { followUp?: boolean } = {}): MessageOrigin {
  const payload = record.payload;
  const channelId = payload.channel?.id ?? payload.channel_id ?? "";
  const legacy = legacyInteraction(payload);
  return {
    channelId,
    author: core.botUser(),
    type: messageTypeFor(payload),
    webhookId: core.applicationId,
    applicationId: core.applicationId,
    interactionMetadata: interactionMetadata(core, record, options.followUp === true),
    ...(legacy ? { interaction: legacy } : {}),
  };
}

function mentionContext(core: Core, record: InteractionRecord): MentionContext {
  return core.mentionContext(record.payload.channel?.id ?? record.payload.channel_id ?? "");
}

function messageTypeFor(payload: APIInteraction): MessageType {
  if (payload.type !== InteractionType.ApplicationCommand) return MessageType.Default;
  return payload.data.type === ApplicationCommandType.ChatInput
    ? MessageType.ChatInputCommand
    : MessageType.ContextMenuCommand;
}

export function interactionUser(payload: APIInteraction): APIUser {
  const user = payload.member?.user ?? payload.user;
  if (!user) throw new Error(`interaction ${payload.id} has neither member.user nor user`);
  return user;
}

function interactionMetadata(core: Core, record: InteractionRecord, followUp: boolean): APIMessageInteractionMetadata {
  const payload = record.payload;
  const base = {
    id: payload.id,
    user: interactionUser(payload),
    authorizing_integration_owners: payload.authorizing_integration_owners,
    ...(followUp && record.originalMessageId ? { original_response_message_id: record.originalMessageId } : {}),
  };
  if (payload.type === InteractionType.MessageComponent) {
    return { ...base, type: InteractionType.MessageComponent, interacted_message_id: payload.message.id };
  }
  if (payload.type === InteractionType.ModalSubmit) {
    return {
      ...base,
      type: InteractionType.ModalSubmit,
      triggering_interaction_metadata: triggeringMetadata(core, record),
    };
  }
  return { ...base, type: InteractionType.ApplicationCommand };
}

/** A modal submit points back at the interaction that opened the modal: the latest type-9 answer with the same custom_id. */
function triggeringMetadata(
  core: Core,
  record: InteractionRecord,
): APIApplicationCommandInteractionMetadata | APIMessageComponentInteractionMetadata {
  const customId = stringField(asObject(record.payload.data), "custom_id");
  const opener = core.interactions
    .all()
    .reverse()
    .find(
      (other) => other.callback?.type === InteractionResponseType.Modal && other.callback.data?.custom_id === customId,
    );
  const source = opener?.payload ?? record.payload;
  const base = {
    id: source.id,
    user: interactionUser(source),
    authorizing_integration_owners: source.authorizing_integration_owners,
  };
  if (source.type === InteractionType.MessageComponent) {
    return { ...base, type: InteractionType.MessageComponent, interacted_message_id: source.message.id };
  }
  return { ...base, type: InteractionType.ApplicationCommand };
}

/** The deprecated `interaction` field, still sent for application command responses. */
function legacyInteraction(payload: APIInteraction): APIMessageInteraction | undefined {
  if (payload.type !== InteractionType.ApplicationCommand) return undefined;
  return { id: payload.id, type: payload.type, name: fullCommandName(payload), user: interactionUser(payload) };
}

function fullCommandName(payload: APIInteraction): string {
  const data = asObject(payload.data);
  const names = [stringField(data, "name") ?? ""];
  let options = objectArray(data.options);
  for (;;) {
    const nested = options.find((option) => option.type === 1 || option.type === 2);
    if (!nested) return names.join(" ");
    names.push(stringField(nested, "name") ?? "");
    options = objectArray(nested.options);
  }
}
