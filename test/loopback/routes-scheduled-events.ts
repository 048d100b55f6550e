/**
 * Guild scheduled events (council sessions): stored per guild, validated with
 * the rules Discord enforces, and announced on the gateway.
 */

import type { APIGuildScheduledEvent } from "discord.js";
import {
  ChannelType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GuildScheduledEventEntityType,
  GuildScheduledEventPrivacyLevel,
  GuildScheduledEventStatus,
  PermissionFlagsBits,
} from "discord.js";
import type { Core } from "./core.js";
import { discordErrors } from "./errors.js";
import type { JsonObject } from "./json.js";
import { asObject, stringField } from "./json.js";
import type { RouteDefinition, RouteRequest, RouteResult } from "./rest.js";
import { noContent, ok } from "./rest.js";
import { snowflake } from "./snowflake.js";

const ALLOWED_TRANSITIONS: Record<number, readonly number[]> = {
  [GuildScheduledEventStatus.Scheduled]: [GuildScheduledEventStatus.Active, GuildScheduledEventStatus.Canceled],
  [GuildScheduledEventStatus.Active]: [GuildScheduledEventStatus.Completed],
};

export function scheduledEventRoutes(core: Core): RouteDefinition[] {
  const list = "/guilds/:guildId/scheduled-events";
  const one = `${list}/:eventId`;
  return [
    {
      method: "GET",
      path: list,
      auth: true,
      handle: (r) =>
        ok([...core.world.guild(r.params.guildId ?? "").scheduledEvents.values()].map((e) => withCount(e, r))),
    },
    { method: "POST", path: list, auth: true, handle: (r) => createEvent(core, r) },
    { method: "GET", path: one, auth: true, handle: (r) => ok(withCount(existingEvent(core, r), r)) },
    { method: "PATCH", path: one, auth: true, handle: (r) => editEvent(core, r) },
    { method: "DELETE", path: one, auth: true, handle: (r) => deleteEvent(core, r) },
  ];
}

function withCount(event: APIGuildScheduledEvent, request: RouteRequest): APIGuildScheduledEvent {
  return request.query.with_user_count === "true" ? { ...event, user_count: 0 } : event;
}

function existingEvent(core: Core, request: RouteRequest): APIGuildScheduledEvent {
  const event = core.world.guild(request.params.guildId ?? "").scheduledEvents.get(request.params.eventId ?? "");
  if (!event) throw discordErrors.unknownScheduledEvent();
  return event;
}

function createEvent(core: Core, request: RouteRequest): RouteResult {
  const guild = core.world.guild(request.params.guildId ?? "");
  const perms = core.world.permissions(guild.id, core.world.bot.id);
  if (!(perms & (PermissionFlagsBits.ManageEvents | PermissionFlagsBits.CreateEvents)))
    throw discordErrors.missingPermissions();
  const event = toEvent(
    core,
    guild.id,
    snowflake(),
    { status: GuildScheduledEventStatus.Scheduled, ...request.body },
    { creating: true },
  );
  guild.scheduledEvents.set(event.id, event);
  announce(core, GatewayDispatchEvents.GuildScheduledEventCreate, event);
  return ok(event);
}

function editEvent(core: Core, request: RouteRequest): RouteResult {
  const current = existingEvent(core, request);
  requireManage(core, current);
  const status = request.body.status;
  if (
    typeof status === "number" &&
    status !== current.status &&
    !ALLOWED_TRANSITIONS[current.status]?.includes(status)
  ) {
    throw discordErrors.invalidFormBody(
      "status",
      "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION",
      "Invalid status transition",
    );
  }
  const merged: JsonObject = { ...current, ...request.body };
  // Switching to an external event drops the channel, as Discord requires channel_id null then.
  if (request.body.entity_type === GuildScheduledEventEntityType.External && !("channel_id" in request.body))
    merged.channel_id = null;
  const event = toEvent(core, current.guild_id, current.id, merged, { creating: false });
  core.world.guild(current.guild_id).scheduledEvents.set(event.id, event);
  announce(core, GatewayDispatchEvents.GuildScheduledEventUpdate, event);
  return ok(event);
}

function deleteEvent(core: Core, request: RouteRequest): RouteResult {
  const current = existingEvent(core, request);
  requireManage(core, current);
  core.world.guild(current.guild_id).scheduledEvents.delete(current.id);
  announce(core, GatewayDispatchEvents.GuildScheduledEventDelete, current);
  return noContent();
}

/** MANAGE_EVENTS covers every event; CREATE_EVENTS only the bot's own. */
function requireManage(core: Core, event: APIGuildScheduledEvent): void {
  const perms = core.world.permissions(event.guild_id, core.world.bot.id);
  const own = event.creator_id === core.world.bot.id && (perms & PermissionFlagsBits.CreateEvents) !== 0n;
  if (!own && !(perms & PermissionFlagsBits.ManageEvents)) throw discordErrors.missingPermissions();
}

function announce(core: Core, name: string, event: APIGuildScheduledEvent): void {
  core.dispatch(name, event, { guildId: event.guild_id, intent: GatewayIntentBits.GuildScheduledEvents });
}

function toEvent(
  core: Core,
  guildId: string,
  id: string,
  body: JsonObject,
  mode: { creating: boolean },
): APIGuildScheduledEvent {
  const fields = validateEvent(core, body, mode);
  const base = {
    id,
    guild_id: guildId,
    creator_id: typeof body.creator_id === "string" ? body.creator_id : core.world.bot.id,
    creator: core.botUser(),
    name: fields.name,
    description: stringField(body, "description") ?? null,
    scheduled_start_time: fields.start.toISOString(),
    scheduled_end_time: fields.end?.toISOString() ?? null,
    privacy_level: GuildScheduledEventPrivacyLevel.GuildOnly,
    status:
      typeof body.status === "number"
        ? (body.status as GuildScheduledEventStatus)
        : GuildScheduledEventStatus.Scheduled,
    entity_id: null,
    image: null,
    recurrence_rule: null,
  };
  if (fields.entityType === GuildScheduledEventEntityType.External) {
    return {
      ...base,
      entity_type: fields.entityType,
      channel_id: null,
      entity_metadata: { location: fields.location ?? "" },
    };
  }
  if (fields.entityType === GuildScheduledEventEntityType.StageInstance) {
    return { ...base, entity_type: fields.entityType, channel_id: fields.channelId ?? "", entity_metadata: null };
  }
  return { ...base, entity_type: fields.entityType, channel_id: fields.channelId ?? "", entity_metadata: null };
}

interface EventFields {
  name: string;
  start: Date;
  end: Date | undefined;
  entityType: GuildScheduledEventEntityType;
  location: string | undefined;
  channelId: string | undefined;
}

function validateEvent(core: Core, body: JsonObject, mode: { creating: boolean }): EventFields {
  const fail = (field: string, code: string, message: string) => discordErrors.invalidFormBody(field, code, message);
  const name = stringField(body, "name") ?? "";
  if (name.length < 1 || name.length > 100)
    throw fail("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
  if ((stringField(body, "description") ?? "").length > 1000)
    throw fail("description", "BASE_TYPE_MAX_LENGTH", "Must be 1000 or fewer in length.");
  if (body.privacy_level !== GuildScheduledEventPrivacyLevel.GuildOnly)
    throw fail("privacy_level", "BASE_TYPE_CHOICES", "Value must be one of {2}.");
  const start = parseTime(body.scheduled_start_time);
  if (!start) throw fail("scheduled_start_time", "BASE_TYPE_REQUIRED", "This field is required");
  if (mode.creating && start.getTime() < Date.now())
    throw fail("scheduled_start_time", "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST", "Cannot schedule event in the past.");
  const end = parseTime(body.scheduled_end_time);
  if (end && end.getTime() <= start.getTime())
    throw fail(
      "scheduled_end_time",
      "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
      "Cannot schedule event to end before starting.",
    );
  const entityType = body.entity_type;
  if (entityType === GuildScheduledEventEntityType.External) {
    const location = stringField(asObject(body.entity_metadata), "location");
    if (!location || location.length > 100)
      throw fail("entity_metadata.location", "BASE_TYPE_REQUIRED", "This field is required");
    if (!end) throw fail("scheduled_end_time", "BASE_TYPE_REQUIRED", "This field is required");
    return { name, start, end, entityType, location, channelId: undefined };
  }
  if (
    entityType === GuildScheduledEventEntityType.StageInstance ||
    entityType === GuildScheduledEventEntityType.Voice
  ) {
    const channelId = stringField(body, "channel_id");
    const channel = channelId ? core.world.findChannel(channelId) : undefined;
    const expected =
      entityType === GuildScheduledEventEntityType.Voice ? ChannelType.GuildVoice : ChannelType.GuildStageVoice;
    if (!channel || channel.type !== expected)
      throw fail("channel_id", "GUILD_SCHEDULED_EVENT_INVALID_CHANNEL", "Invalid channel for this entity type.");
    return { name, start, end, entityType, location: undefined, channelId: channel.id };
  }
  throw fail("entity_type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.");
}

function parseTime(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
