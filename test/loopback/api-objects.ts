/**
 * Serializers from the in-memory records to the JSON objects Discord sends.
 * Typed against discord-api-types (re-exported by discord.js) so a field that
 * discord.js relies on cannot silently go missing.
 */

import type {
  APIDMChannel,
  APIGuild,
  APIGuildCategoryChannel,
  APIGuildForumChannel,
  APIGuildMember,
  APIGuildStageVoiceChannel,
  APIGuildVoiceChannel,
  APINewsChannel,
  APIRole,
  APITextChannel,
  APIUser,
  ChannelFlags,
  GatewayGuildCreateDispatchData,
  GuildMemberFlags,
  GuildSystemChannelFlags,
  RoleFlags,
  UserFlags,
} from "discord.js";
import { ChannelType } from "discord.js";
import type {
  ChannelRecord,
  DmChannelRecord,
  GuildRecord,
  MemberRecord,
  RoleRecord,
  UserRecord,
  World,
} from "./world.js";

export type GuildChannelPayload =
  | APITextChannel
  | APIGuildVoiceChannel
  | APIGuildCategoryChannel
  | APINewsChannel
  | APIGuildStageVoiceChannel
  | APIGuildForumChannel;

// Discord sends 0 for "no flags"; these bitfield enums have no zero member, hence the casts.
const NO_USER_FLAGS = 0 as UserFlags;

export function apiUser(user: UserRecord): APIUser {
  return {
    id: user.id,
    username: user.username,
    discriminator: "0",
    global_name: user.globalName,
    avatar: null,
    ...(user.bot ? { bot: true } : {}),
    banner: null,
    accent_color: null,
    public_flags: NO_USER_FLAGS,
    flags: NO_USER_FLAGS,
    avatar_decoration_data: null,
    collectibles: null,
    primary_guild: null,
  };
}

export function apiRole(role: RoleRecord): APIRole {
  return {
    id: role.id,
    name: role.name,
    color: role.color,
    colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
    hoist: role.hoist,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: role.managed,
    mentionable: role.mentionable,
    flags: 0 as RoleFlags,
    ...(role.botId ? { tags: { bot_id: role.botId } } : {}),
  };
}

export function apiMember(world: World, member: MemberRecord): APIGuildMember {
  return {
    user: apiUser(world.user(member.userId)),
    roles: [...member.roles],
    nick: member.nick,
    avatar: null,
    banner: null,
    joined_at: member.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
    communication_disabled_until: null,
  };
}

export function apiChannel(
  channel: ChannelRecord,
  options: { withGuildId: boolean } = { withGuildId: true },
): GuildChannelPayload {
  const base = {
    id: channel.id,
    name: channel.name,
    position: channel.position,
    parent_id: channel.parentId,
    nsfw: channel.nsfw,
    permission_overwrites: [],
    flags: 0,
    // GUILD_CREATE omits guild_id on its channels; REST responses include it.
    ...(options.withGuildId ? { guild_id: channel.guildId } : {}),
  };
  const textish = {
    topic: channel.topic,
    last_message_id: channel.lastMessageId,
    rate_limit_per_user: 0,
  };
  const voiceish = { bitrate: 64_000, user_limit: 0, rtc_region: null, last_message_id: channel.lastMessageId };
  switch (channel.type) {
    case ChannelType.GuildText:
      return { ...base, ...textish, type: ChannelType.GuildText };
    case ChannelType.GuildAnnouncement:
      return { ...base, ...textish, type: ChannelType.GuildAnnouncement };
    case ChannelType.GuildVoice:
      return { ...base, ...voiceish, type: ChannelType.GuildVoice };
    case ChannelType.GuildStageVoice:
      return { ...base, ...voiceish, type: ChannelType.GuildStageVoice };
    case ChannelType.GuildCategory:
      return { ...base, parent_id: null, type: ChannelType.GuildCategory };
    case ChannelType.GuildForum:
      return {
        ...base,
        topic: channel.topic,
        type: ChannelType.GuildForum,
        available_tags: [],
        default_reaction_emoji: null,
        default_sort_order: null,
        default_forum_layout: 0,
      };
  }
}

/** The DM channel object POST /users/@me/channels and GET /channels/:id return: the bot is not listed as a recipient. */
export function apiDmChannel(world: World, channel: DmChannelRecord): APIDMChannel {
  return {
    id: channel.id,
    type: ChannelType.DM,
    name: null,
    flags: 0 as ChannelFlags,
    last_message_id: channel.lastMessageId,
    recipients: [apiUser(world.user(channel.recipientId))],
  };
}

export function apiGuild(guild: GuildRecord): APIGuild {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 0,
    default_message_notifications: 1,
    explicit_content_filter: 0,
    roles: [...guild.roles.values()].map(apiRole),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: firstTextChannel(guild)?.id ?? null,
    system_channel_flags: 0 as GuildSystemChannelFlags,
    rules_channel_id: null,
    max_presences: null,
    max_members: 500_000,
    vanity_url_code: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: guild.preferredLocale as APIGuild["preferred_locale"],
    public_updates_channel_id: null,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    hub_type: null,
    safety_alerts_channel_id: null,
    incidents_data: null,
  };
}

/**
 * GUILD_CREATE as Discord sends it after READY. Without the GUILD_MEMBERS intent
 * only the bot's own member is included, as on real Discord, so code that
 * trusts the member cache without fetching fails here too.
 */
export function guildCreatePayload(
  world: World,
  guild: GuildRecord,
  withAllMembers: boolean,
): GatewayGuildCreateDispatchData {
  const members = [...guild.members.values()].filter((member) => withAllMembers || member.userId === world.bot.id);
  return {
    ...apiGuild(guild),
    joined_at: guild.joinedAt,
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    voice_states: [],
    members: members.map((member) => apiMember(world, member)),
    channels: [...guild.channels.values()].map((channel) => apiChannel(channel, { withGuildId: false })),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [...guild.scheduledEvents.values()],
    soundboard_sounds: [],
  };
}

function firstTextChannel(guild: GuildRecord): ChannelRecord | undefined {
  return [...guild.channels.values()].find((channel) => channel.type === ChannelType.GuildText);
}
