/**
 * Shared state the REST routes and the gateway work on. Kept separate from
 * LoopbackDiscord so route modules depend on data, not on the public API.
 */

import type { APIMessage, APIUser } from "discord.js";
import { GatewayDispatchEvents, GatewayIntentBits, PermissionFlagsBits } from "discord.js";
import { apiMember, apiUser } from "./api-objects.js";
import { CommandRegistry } from "./commands.js";
import { discordErrors } from "./errors.js";
import type { DispatchTarget, Gateway } from "./gateway.js";
import { InteractionRegistry } from "./interaction-state.js";
import type { MentionContext } from "./messages.js";
import { MessageStore } from "./messages.js";
import type { World } from "./world.js";

export interface CoreSettings {
  /** Discord drops an interaction that is not acknowledged within 3 s; later callbacks get 10062. */
  callbackDeadlineMs: number;
  shardCount: number;
  gatewayUrl: () => string;
}

export class Core {
  readonly messages = new MessageStore();
  readonly interactions = new InteractionRegistry();
  readonly commands: CommandRegistry;
  gateway: Gateway | undefined;

  constructor(
    readonly world: World,
    readonly applicationId: string,
    readonly settings: CoreSettings,
  ) {
    this.commands = new CommandRegistry(applicationId);
  }

  botUser(): APIUser {
    return apiUser(this.world.bot);
  }

  readonly resolveUser = (id: string): APIUser | undefined => {
    const user = this.world.users.get(id);
    return user ? apiUser(user) : undefined;
  };

  mentionContext(channelId: string): MentionContext {
    const channel = this.world.findChannel(channelId);
    const perms = channel ? this.world.permissions(channel.guildId, this.world.bot.id) : 0n;
    return { resolveUser: this.resolveUser, mayMentionEveryone: (perms & PermissionFlagsBits.MentionEveryone) !== 0n };
  }

  dispatch(event: string, data: unknown, target: DispatchTarget = {}): number {
    return this.gateway?.dispatch(event, data, target) ?? 0;
  }

  /** Throws like Discord when the bot lacks a guild-level permission. */
  requireBotPermission(guildId: string, permission: bigint, onMissing = discordErrors.missingPermissions): void {
    if ((this.world.permissions(guildId, this.world.bot.id) & permission) !== permission) throw onMissing();
  }

  requireChannelAccess(channelId: string): void {
    const channel = this.world.channel(channelId);
    this.requireBotPermission(channel.guildId, PermissionFlagsBits.ViewChannel, discordErrors.missingAccess);
  }

  /**
   * Mirrors the MESSAGE_* events Discord sends for the bot's own non-ephemeral
   * messages: guild ones to the guild's shard (GUILD_MESSAGES), DM ones to
   * shard 0 (DIRECT_MESSAGES), without guild_id or member.
   */
  announceMessage(event: "create" | "update" | "delete", message: APIMessage): void {
    if ((message.flags ?? 0) & 64) return;
    if (this.world.dmChannels.has(message.channel_id)) {
      const target = { guildId: null, intent: GatewayIntentBits.DirectMessages };
      const names = {
        create: GatewayDispatchEvents.MessageCreate,
        update: GatewayDispatchEvents.MessageUpdate,
        delete: GatewayDispatchEvents.MessageDelete,
      } as const;
      const data = event === "delete" ? { id: message.id, channel_id: message.channel_id } : message;
      this.dispatch(names[event], data, target);
      return;
    }
    const channel = this.world.findChannel(message.channel_id);
    if (!channel) return;
    const target = { guildId: channel.guildId, intent: GatewayIntentBits.GuildMessages };
    if (event === "delete") {
      this.dispatch(
        GatewayDispatchEvents.MessageDelete,
        { id: message.id, channel_id: message.channel_id, guild_id: channel.guildId },
        target,
      );
      return;
    }
    const name = event === "create" ? GatewayDispatchEvents.MessageCreate : GatewayDispatchEvents.MessageUpdate;
    const member = this.world.guilds.get(channel.guildId)?.members.get(message.author.id);
    const { user: _user, ...partialMember } = member ? apiMember(this.world, member) : { user: undefined };
    this.dispatch(
      name,
      { ...message, guild_id: channel.guildId, ...(member ? { member: partialMember } : {}) },
      target,
    );
  }
}
