/**
 * Message objects built from what the bot sends, the validation Discord applies
 * before accepting them, and the store tests read them back from.
 */

import type {
  APIAttachment,
  APIEmbed,
  APIMessage,
  APIMessageInteraction,
  APIMessageInteractionMetadata,
  APIMessageReference,
  APIMessageTopLevelComponent,
  APIUser,
  MessageType,
} from "discord.js";
import { MessageFlags } from "discord.js";
import { discordErrors } from "./errors.js";
import type { JsonObject } from "./json.js";
import { asObject, clone, isObject, objectArray, stringField } from "./json.js";
import { snowflake } from "./snowflake.js";

export interface UploadedFile {
  /** Form field name, e.g. "files[0]". */
  field: string;
  filename: string;
  contentType: string;
  size: number;
}

/** What mention parsing needs from the guild: who the ids are, and whether @everyone may ping. */
export interface MentionContext {
  resolveUser: (id: string) => APIUser | undefined;
  /** Discord only flags mention_everyone when the sender has MENTION_EVERYONE. */
  mayMentionEveryone: boolean;
}

export interface MessageOrigin {
  channelId: string;
  author: APIUser;
  type: MessageType;
  webhookId?: string;
  applicationId?: string;
  interactionMetadata?: APIMessageInteractionMetadata;
  interaction?: APIMessageInteraction;
  reference?: APIMessageReference;
  referencedMessage?: APIMessage | null;
}

/** Flags a bot may set when sending; the rest are Discord-owned. */
const SENDABLE_FLAGS =
  MessageFlags.SuppressEmbeds |
  MessageFlags.Ephemeral |
  MessageFlags.SuppressNotifications |
  MessageFlags.IsVoiceMessage |
  MessageFlags.IsComponentsV2;

export function sentFlags(body: JsonObject): number {
  const flags = body.flags;
  return typeof flags === "number" ? flags & SENDABLE_FLAGS : 0;
}

export function buildMessage(
  body: JsonObject,
  files: UploadedFile[],
  origin: MessageOrigin,
  mentionContext: MentionContext,
): APIMessage {
  validateMessageBody(body, files, { creating: true });
  const id = snowflake();
  const content = stringField(body, "content") ?? "";
  const mentions = computeMentions(content, body.allowed_mentions, mentionContext);
  return {
    id,
    type: origin.type,
    content,
    channel_id: origin.channelId,
    author: origin.author,
    attachments: attachmentsFor(origin.channelId, files, body.attachments, []),
    embeds: normalizeEmbeds(body.embeds),
    mentions: mentions.users,
    mention_roles: mentions.roles,
    mention_everyone: mentions.everyone,
    pinned: false,
    tts: body.tts === true,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    flags: sentFlags(body),
    components: normalizeComponents(body.components),
    ...(typeof body.nonce === "string" || typeof body.nonce === "number" ? { nonce: body.nonce } : {}),
    ...(origin.webhookId ? { webhook_id: origin.webhookId } : {}),
    ...(origin.applicationId ? { application_id: origin.applicationId } : {}),
    ...(origin.interactionMetadata ? { interaction_metadata: origin.interactionMetadata } : {}),
    ...(origin.interaction ? { interaction: origin.interaction } : {}),
    ...(origin.reference ? { message_reference: origin.reference } : {}),
    ...(origin.referencedMessage !== undefined ? { referenced_message: origin.referencedMessage } : {}),
  };
}

/** The "Bot is thinking…" message a deferred reply (callback type 5) creates. */
export function loadingMessage(origin: MessageOrigin, ephemeral: boolean): APIMessage {
  return {
    id: snowflake(),
    type: origin.type,
    content: "",
    channel_id: origin.channelId,
    author: origin.author,
    attachments: [],
    embeds: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    flags: MessageFlags.Loading | (ephemeral ? MessageFlags.Ephemeral : 0),
    components: [],
    ...(origin.webhookId ? { webhook_id: origin.webhookId } : {}),
    ...(origin.applicationId ? { application_id: origin.applicationId } : {}),
    ...(origin.interactionMetadata ? { interaction_metadata: origin.interactionMetadata } : {}),
    ...(origin.interaction ? { interaction: origin.interaction } : {}),
  };
}

export function isLoading(message: APIMessage): boolean {
  return ((message.flags ?? 0) & MessageFlags.Loading) !== 0;
}

/** PATCH semantics: fields present in the body replace, absent ones stay. */
export function applyMessageEdit(
  message: APIMessage,
  body: JsonObject,
  files: UploadedFile[],
  mentionContext: MentionContext,
  options: { markEdited: boolean } = { markEdited: true },
): APIMessage {
  // The first edit of a deferred reply is its real content: validated like a send, not shown as edited.
  const wasLoading = isLoading(message);
  validateMessageBody(body, files, { creating: wasLoading });
  const next: APIMessage = { ...message };
  if ("content" in body) next.content = stringField(body, "content") ?? "";
  if ("embeds" in body) next.embeds = normalizeEmbeds(body.embeds);
  if ("components" in body) next.components = normalizeComponents(body.components);
  if ("flags" in body) {
    // Ephemeral and loading state are fixed once a message exists.
    const fixed = (message.flags ?? 0) & MessageFlags.Ephemeral;
    next.flags = (sentFlags(body) & ~MessageFlags.Ephemeral) | fixed;
  }
  if ("attachments" in body || files.length > 0) {
    next.attachments = attachmentsFor(message.channel_id, files, body.attachments, message.attachments);
  }
  if ("content" in body || "allowed_mentions" in body) {
    const mentions = computeMentions(next.content, body.allowed_mentions, mentionContext);
    next.mentions = mentions.users;
    next.mention_roles = mentions.roles;
    next.mention_everyone = mentions.everyone;
  }
  if (wasLoading) next.flags = (next.flags ?? 0) & ~MessageFlags.Loading;
  else if (options.markEdited) next.edited_timestamp = new Date().toISOString();
  return next;
}

function validateMessageBody(body: JsonObject, files: UploadedFile[], mode: { creating: boolean }): void {
  const content = stringField(body, "content");
  if (content !== undefined && content.length > 2000) {
    throw discordErrors.invalidFormBody("content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
  }
  validateEmbeds(body.embeds);
  validateComponents(body.components);
  if (!mode.creating) return;
  const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0;
  const hasComponents = Array.isArray(body.components) && body.components.length > 0;
  const hasStickers = Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0;
  if (!content && !hasEmbeds && !hasComponents && !hasStickers && files.length === 0 && !isObject(body.poll)) {
    throw discordErrors.cannotSendEmptyMessage();
  }
}

const EMBED_LIMITS: ReadonlyArray<[path: string, pick: (embed: JsonObject) => unknown, max: number]> = [
  ["title", (embed) => embed.title, 256],
  ["description", (embed) => embed.description, 4096],
  ["footer.text", (embed) => asObject(embed.footer).text, 2048],
  ["author.name", (embed) => asObject(embed.author).name, 256],
];

function validateEmbeds(value: unknown): void {
  const embeds = objectArray(value);
  if (embeds.length > 10)
    throw discordErrors.invalidFormBody("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.");
  let total = 0;
  embeds.forEach((embed, index) => {
    for (const [path, pick, max] of EMBED_LIMITS) {
      const text = pick(embed);
      if (typeof text !== "string") continue;
      total += text.length;
      if (text.length > max) {
        throw discordErrors.invalidFormBody(
          `embeds.${index}.${path}`,
          "BASE_TYPE_MAX_LENGTH",
          `Must be ${max} or fewer in length.`,
        );
      }
    }
    total += validateEmbedFields(embed, index);
  });
  if (total > 6000) {
    throw discordErrors.invalidFormBody("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000");
  }
}

function validateEmbedFields(embed: JsonObject, index: number): number {
  const fields = objectArray(embed.fields);
  if (fields.length > 25) {
    throw discordErrors.invalidFormBody(
      `embeds.${index}.fields`,
      "BASE_TYPE_MAX_LENGTH",
      "Must be 25 or fewer in length.",
    );
  }
  let size = 0;
  fields.forEach((field, fieldIndex) => {
    for (const [key, max] of [
      ["name", 256],
      ["value", 1024],
    ] as const) {
      const text = stringField(field, key) ?? "";
      const path = `embeds.${index}.fields.${fieldIndex}.${key}`;
      if (text.length === 0) throw discordErrors.invalidFormBody(path, "BASE_TYPE_REQUIRED", "This field is required");
      if (text.length > max)
        throw discordErrors.invalidFormBody(path, "BASE_TYPE_MAX_LENGTH", `Must be ${max} or fewer in length.`);
      size += text.length;
    }
  });
  return size;
}

/** custom_id limits are the component rules bots most often trip over. */
function validateComponents(value: unknown): void {
  const seen = new Set<string>();
  const visit = (component: JsonObject, path: string): void => {
    const customId = stringField(component, "custom_id");
    if (customId !== undefined) {
      if (customId.length > 100) {
        throw discordErrors.invalidFormBody(
          `${path}.custom_id`,
          "BASE_TYPE_MAX_LENGTH",
          "Must be 100 or fewer in length.",
        );
      }
      if (seen.has(customId)) {
        throw discordErrors.invalidFormBody(
          `${path}.custom_id`,
          "COMPONENT_CUSTOM_ID_DUPLICATED",
          "Component custom id cannot be duplicated",
        );
      }
      seen.add(customId);
    }
    objectArray(component.components).forEach((child, index) => {
      visit(child, `${path}.components.${index}`);
    });
    if (isObject(component.accessory)) visit(component.accessory, `${path}.accessory`);
    if (isObject(component.component)) visit(component.component, `${path}.component`);
  };
  objectArray(value).forEach((component, index) => {
    visit(component, `components.${index}`);
  });
}

/** Discord numbers every component; echoing ids keeps later edits addressable like in production. */
function normalizeComponents(value: unknown): APIMessageTopLevelComponent[] {
  let nextId = 1;
  const number = (component: JsonObject): JsonObject => {
    const copy: JsonObject = { ...component, id: typeof component.id === "number" ? component.id : nextId };
    nextId = Math.max(nextId, Number(copy.id)) + 1;
    if (Array.isArray(component.components)) copy.components = objectArray(component.components).map(number);
    if (isObject(component.accessory)) copy.accessory = number(component.accessory);
    if (isObject(component.component)) copy.component = number(component.component);
    return copy;
  };
  // JSON boundary: the bot's component JSON is echoed, not re-modelled.
  return objectArray(value).map(number) as unknown as APIMessageTopLevelComponent[];
}

function normalizeEmbeds(value: unknown): APIEmbed[] {
  // JSON boundary: embeds are echoed with the type Discord fills in.
  return objectArray(value).map((embed) => ({ type: "rich", ...embed }) as APIEmbed);
}

function attachmentsFor(
  channelId: string,
  files: UploadedFile[],
  declared: unknown,
  existing: APIAttachment[],
): APIAttachment[] {
  const declaredList = objectArray(declared);
  const keptIds = new Set(declaredList.map((item) => String(item.id)));
  const kept = Array.isArray(declared) ? existing.filter((attachment) => keptIds.has(attachment.id)) : existing;
  const uploaded = files.map((file, index): APIAttachment => {
    const meta = declaredList.find((item) => String(item.id) === String(index)) ?? {};
    const id = snowflake();
    const filename = stringField(meta, "filename") ?? file.filename;
    const url = `https://cdn.discordapp.com/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`;
    return {
      id,
      filename,
      size: file.size,
      url,
      proxy_url: url.replace("cdn.discordapp.com", "media.discordapp.net"),
      content_type: file.contentType,
      ...(stringField(meta, "description") ? { description: stringField(meta, "description") } : {}),
    };
  });
  return [...kept, ...uploaded];
}

interface Mentions {
  users: APIUser[];
  roles: string[];
  everyone: boolean;
}

/** Applies allowed_mentions the way Discord does: absent means parse everything. */
function computeMentions(content: string, allowedRaw: unknown, context: MentionContext): Mentions {
  const allowed = isObject(allowedRaw) ? allowedRaw : undefined;
  const parse = new Set(Array.isArray(allowed?.parse) ? allowed.parse.map(String) : ["users", "roles", "everyone"]);
  const listed = (key: string) => new Set(Array.isArray(allowed?.[key]) ? (allowed[key] as unknown[]).map(String) : []);
  const allowedUsers = listed("users");
  const allowedRoles = listed("roles");
  const userIds = unique([...content.matchAll(/<@!?(\d{17,20})>/g)].map((match) => match[1] ?? ""));
  const roleIds = unique([...content.matchAll(/<@&(\d{17,20})>/g)].map((match) => match[1] ?? ""));
  return {
    users: userIds
      .filter((id) => parse.has("users") || allowedUsers.has(id))
      .map(context.resolveUser)
      .filter((user): user is APIUser => user !== undefined),
    roles: roleIds.filter((id) => parse.has("roles") || allowedRoles.has(id)),
    everyone: context.mayMentionEveryone && parse.has("everyone") && /@(everyone|here)\b/.test(content),
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** How long Discord remembers a nonce for `enforce_nonce` ("the past few minutes"). */
export const NONCE_WINDOW_MS = 5 * 60_000;

interface StoredMessage {
  message: APIMessage;
  ephemeral: boolean;
  interactionId: string | null;
}

/**
 * Everything the bot created, by id. Channel listings exclude ephemeral
 * messages, which only the invoking user ever sees.
 */
export class MessageStore {
  private readonly byId = new Map<string, StoredMessage>();
  private readonly channelOrder = new Map<string, string[]>();
  /** author:nonce → the message and when it was made, for `enforce_nonce`. */
  private readonly nonces = new Map<string, { id: string; at: number }>();

  /**
   * With `enforce_nonce`, Discord returns the message the same author already created with the same nonce in the
   * past few minutes instead of creating another: a retry after a lost answer posts once.
   */
  byNonce(authorId: string, nonce: string | number, now = Date.now()): APIMessage | undefined {
    const seen = this.nonces.get(`${authorId}:${nonce}`);
    if (!seen || now - seen.at > NONCE_WINDOW_MS) return undefined;
    return this.get(seen.id);
  }

  rememberNonce(message: APIMessage, now = Date.now()): void {
    if (message.nonce !== undefined)
      this.nonces.set(`${message.author.id}:${message.nonce}`, { id: message.id, at: now });
  }

  add(message: APIMessage, options: { interactionId?: string | null } = {}): void {
    const ephemeral = ((message.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
    this.byId.set(message.id, { message, ephemeral, interactionId: options.interactionId ?? null });
    if (ephemeral) return;
    const order = this.channelOrder.get(message.channel_id) ?? [];
    if (!order.includes(message.id)) order.push(message.id);
    this.channelOrder.set(message.channel_id, order);
  }

  get(id: string): APIMessage | undefined {
    return this.byId.get(id)?.message;
  }

  /** Returns the stored message or throws Discord's Unknown Message. */
  require(id: string, channelId?: string): APIMessage {
    const message = this.get(id);
    if (!message || (channelId !== undefined && message.channel_id !== channelId)) throw discordErrors.unknownMessage();
    return message;
  }

  replace(message: APIMessage): void {
    const stored = this.byId.get(message.id);
    if (!stored) throw discordErrors.unknownMessage();
    stored.message = message;
  }

  delete(id: string): APIMessage | undefined {
    const stored = this.byId.get(id);
    if (!stored) return undefined;
    this.byId.delete(id);
    const order = this.channelOrder.get(stored.message.channel_id);
    if (order)
      this.channelOrder.set(
        stored.message.channel_id,
        order.filter((other) => other !== id),
      );
    return stored.message;
  }

  inChannel(channelId: string): APIMessage[] {
    return (this.channelOrder.get(channelId) ?? []).flatMap((id) => {
      const message = this.get(id);
      return message ? [clone(message)] : [];
    });
  }
}
