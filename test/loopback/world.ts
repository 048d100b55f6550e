/**
 * In-memory guild state the loopback server answers from: guilds, channels,
 * roles, members and users. Seeds are small; everything Discord would fill in
 * (the @everyone role, the bot's member and managed role, timestamps) is
 * defaulted here so tests only write what they care about.
 */

import type { APIGuildScheduledEvent } from "discord.js";
import { ChannelType, PermissionFlagsBits, PermissionsBitField } from "discord.js";
import { discordErrors } from "./errors.js";
import { snowflake, snowflakeTime } from "./snowflake.js";

export interface UserSeed {
  id: string;
  username: string;
  globalName?: string | null;
  bot?: boolean;
}

/** Guild channel kinds the harness can seed (threads are not modelled; DM channels are opened by the bot). */
export type SeedChannelType =
  | ChannelType.GuildText
  | ChannelType.GuildVoice
  | ChannelType.GuildCategory
  | ChannelType.GuildAnnouncement
  | ChannelType.GuildStageVoice
  | ChannelType.GuildForum;

export interface ChannelSeed {
  id: string;
  name: string;
  /** Defaults to a text channel. */
  type?: SeedChannelType;
  parentId?: string | null;
  position?: number;
  topic?: string | null;
  nsfw?: boolean;
}

export interface RoleSeed {
  id: string;
  name: string;
  position: number;
  permissions: bigint | string;
  color?: number;
  hoist?: boolean;
  mentionable?: boolean;
  managed?: boolean;
}

export interface MemberSeed {
  user: UserSeed;
  roles?: string[];
  nick?: string | null;
  joinedAt?: string;
}

export interface GuildSeed {
  id: string;
  name: string;
  /** Defaults to the first seeded member, else a generated owner who is not the bot. */
  ownerId?: string;
  channels: ChannelSeed[];
  /** @everyone (id = guild id) is added unless seeded explicitly. */
  roles?: RoleSeed[];
  members?: MemberSeed[];
  /** Permissions of the bot's managed role. Defaults to a typical invite: manage roles/events, send, embed. */
  botPermissions?: bigint | string;
  /** Position of the bot's managed role; defaults to above every seeded role, so it may manage them. */
  botRolePosition?: number;
  preferredLocale?: string;
}

export interface UserRecord {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
}

export interface ChannelRecord {
  id: string;
  guildId: string;
  name: string;
  type: SeedChannelType;
  parentId: string | null;
  position: number;
  topic: string | null;
  nsfw: boolean;
  lastMessageId: string | null;
}

export interface RoleRecord {
  id: string;
  name: string;
  position: number;
  permissions: bigint;
  color: number;
  hoist: boolean;
  mentionable: boolean;
  managed: boolean;
  botId: string | null;
}

export interface MemberRecord {
  userId: string;
  roles: string[];
  nick: string | null;
  joinedAt: string;
}

/** A DM channel between the bot and one user: one per recipient, as on Discord. */
export interface DmChannelRecord {
  id: string;
  recipientId: string;
  lastMessageId: string | null;
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  joinedAt: string;
  preferredLocale: string;
  channels: Map<string, ChannelRecord>;
  roles: Map<string, RoleRecord>;
  members: Map<string, MemberRecord>;
  scheduledEvents: Map<string, APIGuildScheduledEvent>;
}

export const DEFAULT_BOT_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.UseApplicationCommands |
  PermissionFlagsBits.ManageRoles |
  PermissionFlagsBits.ManageEvents |
  PermissionFlagsBits.CreateEvents;

const ALL_PERMISSIONS = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);
const TEXT_BASED = new Set<ChannelType>([
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.GuildVoice,
  ChannelType.GuildStageVoice,
]);

export function isTextBased(channel: ChannelRecord): boolean {
  return TEXT_BASED.has(channel.type);
}

export class World {
  readonly guilds = new Map<string, GuildRecord>();
  readonly users = new Map<string, UserRecord>();
  /** DM channels by channel id. */
  readonly dmChannels = new Map<string, DmChannelRecord>();
  /** Users whose privacy settings refuse DMs from the bot (sends answer 50007). */
  readonly closedDms = new Set<string>();
  private readonly channelGuild = new Map<string, string>();
  private readonly dmByRecipient = new Map<string, string>();

  constructor(readonly bot: UserRecord) {
    this.users.set(bot.id, bot);
  }

  addGuild(seed: GuildSeed): GuildRecord {
    if (this.guilds.has(seed.id)) throw new Error(`guild ${seed.id} is already seeded`);
    const guild = this.createGuildRecord(seed);
    this.guilds.set(guild.id, guild);
    for (const channel of guild.channels.values()) this.channelGuild.set(channel.id, guild.id);
    return guild;
  }

  guild(guildId: string): GuildRecord {
    const guild = this.guilds.get(guildId);
    if (!guild) throw discordErrors.unknownGuild();
    return guild;
  }

  channel(channelId: string): ChannelRecord {
    const guildId = this.channelGuild.get(channelId);
    const channel = guildId === undefined ? undefined : this.guilds.get(guildId)?.channels.get(channelId);
    if (!channel) throw discordErrors.unknownChannel();
    return channel;
  }

  findChannel(channelId: string): ChannelRecord | undefined {
    try {
      return this.channel(channelId);
    } catch {
      return undefined;
    }
  }

  member(guildId: string, userId: string): MemberRecord {
    const member = this.guild(guildId).members.get(userId);
    if (!member) throw discordErrors.unknownMember();
    return member;
  }

  role(guildId: string, roleId: string): RoleRecord {
    const role = this.guild(guildId).roles.get(roleId);
    if (!role) throw discordErrors.unknownRole();
    return role;
  }

  user(userId: string): UserRecord {
    const user = this.users.get(userId);
    if (!user) throw discordErrors.unknownUser();
    return user;
  }

  removeChannel(guildId: string, channelId: string): ChannelRecord {
    const channel = this.channel(channelId);
    if (channel.guildId !== guildId) throw new Error(`channel ${channelId} is not in guild ${guildId}`);
    this.guild(guildId).channels.delete(channelId);
    this.channelGuild.delete(channelId);
    return channel;
  }

  /** Adds a member to a guild (a join); the user is remembered like seeded members. */
  addMember(guildId: string, seed: MemberSeed): MemberRecord {
    const guild = this.guild(guildId);
    if (guild.members.has(seed.user.id)) throw new Error(`user ${seed.user.id} is already a member of ${guildId}`);
    const unknownRole = seed.roles?.find((roleId) => !guild.roles.has(roleId));
    if (unknownRole !== undefined) throw new Error(`role ${unknownRole} is not seeded in guild ${guildId}`);
    this.rememberUser(seed.user);
    const member: MemberRecord = {
      userId: seed.user.id,
      roles: [...(seed.roles ?? [])],
      nick: seed.nick ?? null,
      joinedAt: seed.joinedAt ?? new Date().toISOString(),
    };
    guild.members.set(member.userId, member);
    return member;
  }

  /** Removes a member (a leave, kick or ban); the user itself still exists. */
  removeMember(guildId: string, userId: string): MemberRecord {
    const guild = this.guild(guildId);
    const member = this.member(guildId, userId);
    if (userId === this.bot.id) throw new Error("the bot leaving a guild is GUILD_DELETE, not a member removal");
    if (userId === guild.ownerId) throw new Error(`user ${userId} owns guild ${guildId} and cannot leave it`);
    guild.members.delete(userId);
    return member;
  }

  /** The DM channel with a user, created on first use and stable afterwards (POST /users/@me/channels). */
  openDm(userId: string): DmChannelRecord {
    const user = this.user(userId);
    if (user.id === this.bot.id) throw discordErrors.cannotSendToUser(400);
    const existing = this.dmWith(userId);
    if (existing) return existing;
    const channel: DmChannelRecord = { id: snowflake(), recipientId: userId, lastMessageId: null };
    this.dmChannels.set(channel.id, channel);
    this.dmByRecipient.set(userId, channel.id);
    return channel;
  }

  dmWith(userId: string): DmChannelRecord | undefined {
    const channelId = this.dmByRecipient.get(userId);
    return channelId === undefined ? undefined : this.dmChannels.get(channelId);
  }

  /**
   * Why Discord would refuse a DM to this user, if it would: the recipient is a
   * bot, shares no guild with the bot, or has DMs closed. All answer 50007.
   */
  dmRefused(userId: string): boolean {
    const user = this.user(userId);
    if (user.bot || this.closedDms.has(userId)) return true;
    return ![...this.guilds.values()].some((guild) => guild.members.has(userId) && guild.members.has(this.bot.id));
  }

  /** Guild-level permissions as Discord computes them (no channel overwrites). */
  permissions(guildId: string, userId: string): bigint {
    const guild = this.guild(guildId);
    if (guild.ownerId === userId) return ALL_PERMISSIONS;
    const member = guild.members.get(userId);
    const roleIds = [guildId, ...(member?.roles ?? [])];
    const bits = roleIds.reduce((all, id) => all | (guild.roles.get(id)?.permissions ?? 0n), 0n);
    return bits & PermissionFlagsBits.Administrator ? ALL_PERMISSIONS : bits;
  }

  highestRolePosition(guildId: string, userId: string): number {
    const guild = this.guild(guildId);
    const roles = guild.members.get(userId)?.roles ?? [];
    return Math.max(0, ...roles.map((id) => guild.roles.get(id)?.position ?? 0));
  }

  /** Discord's rule for role edits: MANAGE_ROLES and the role strictly below the bot's highest role. */
  botMayManageRole(guildId: string, role: RoleRecord): boolean {
    const guild = this.guild(guildId);
    if (guild.ownerId === this.bot.id) return true;
    const perms = this.permissions(guildId, this.bot.id);
    if (!(perms & PermissionFlagsBits.ManageRoles)) return false;
    return !role.managed && role.position < this.highestRolePosition(guildId, this.bot.id);
  }

  private createGuildRecord(seed: GuildSeed): GuildRecord {
    const joinedAt = new Date().toISOString();
    const roles = new Map<string, RoleRecord>();
    roles.set(seed.id, everyoneRole(seed.id));
    for (const role of seed.roles ?? []) roles.set(role.id, roleFromSeed(role));
    const botRole = this.botRole(seed, roles);
    roles.set(botRole.id, botRole);

    const members = new Map<string, MemberRecord>();
    members.set(this.bot.id, { userId: this.bot.id, roles: [botRole.id], nick: null, joinedAt });
    for (const member of seed.members ?? []) {
      this.rememberUser(member.user);
      members.set(member.user.id, {
        userId: member.user.id,
        roles: member.roles ?? [],
        nick: member.nick ?? null,
        joinedAt: member.joinedAt ?? new Date(snowflakeTime(seed.id)).toISOString(),
      });
    }

    const channels = new Map<string, ChannelRecord>();
    seed.channels.forEach((channel, index) => {
      channels.set(channel.id, channelFromSeed(channel, seed.id, index));
    });

    return {
      id: seed.id,
      name: seed.name,
      ownerId: seed.ownerId ?? seed.members?.[0]?.user.id ?? this.syntheticOwner(members),
      joinedAt,
      preferredLocale: seed.preferredLocale ?? "en-US",
      channels,
      roles,
      members,
      scheduledEvents: new Map(),
    };
  }

  private botRole(seed: GuildSeed, roles: Map<string, RoleRecord>): RoleRecord {
    const highest = Math.max(0, ...[...roles.values()].map((role) => role.position));
    return {
      id: snowflake(),
      name: this.bot.username,
      position: seed.botRolePosition ?? highest + 1,
      permissions: BigInt(seed.botPermissions ?? DEFAULT_BOT_PERMISSIONS),
      color: 0,
      hoist: false,
      mentionable: false,
      managed: true,
      botId: this.bot.id,
    };
  }

  private syntheticOwner(members: Map<string, MemberRecord>): string {
    const owner: UserSeed = { id: snowflake(), username: "guild-owner" };
    this.rememberUser(owner);
    members.set(owner.id, { userId: owner.id, roles: [], nick: null, joinedAt: new Date().toISOString() });
    return owner.id;
  }

  rememberUser(seed: UserSeed): UserRecord {
    const user: UserRecord = {
      id: seed.id,
      username: seed.username,
      globalName: seed.globalName ?? null,
      bot: seed.bot ?? false,
    };
    this.users.set(user.id, user);
    return user;
  }
}

function everyoneRole(guildId: string): RoleRecord {
  return {
    id: guildId,
    name: "@everyone",
    position: 0,
    permissions: PermissionsBitField.Default,
    color: 0,
    hoist: false,
    mentionable: false,
    managed: false,
    botId: null,
  };
}

function roleFromSeed(seed: RoleSeed): RoleRecord {
  return {
    id: seed.id,
    name: seed.name,
    position: seed.position,
    permissions: BigInt(seed.permissions),
    color: seed.color ?? 0,
    hoist: seed.hoist ?? false,
    mentionable: seed.mentionable ?? false,
    managed: seed.managed ?? false,
    botId: null,
  };
}

function channelFromSeed(seed: ChannelSeed, guildId: string, index: number): ChannelRecord {
  return {
    id: seed.id,
    guildId,
    name: seed.name,
    type: seed.type ?? ChannelType.GuildText,
    parentId: seed.parentId ?? null,
    position: seed.position ?? index,
    topic: seed.topic ?? null,
    nsfw: seed.nsfw ?? false,
    lastMessageId: null,
  };
}
