import { type Client, DiscordAPIError, type Guild, PermissionFlagsBits, RESTJSONErrorCodes, Routes } from "discord.js";
import type { RoleProblem } from "../factions/model.js";
import type { RoleGateway } from "../factions/roles.js";

/** RoleGateway over discord.js: checks what Discord would refuse before asking, and names what went wrong. */
export function discordRoles(
  client: Client,
  options: { membersIntent: boolean } = { membersIntent: true },
): RoleGateway {
  async function guildOf(guildId: string): Promise<Guild | null> {
    return client.guilds.cache.get(guildId) ?? (await client.guilds.fetch(guildId).catch(() => null));
  }

  async function diagnose(guildId: string, roleId: string): Promise<RoleProblem | null> {
    const guild = await guildOf(guildId);
    if (!guild) return "unknown";
    // Fresh from Discord, every role at once: an admin may just have moved roles around to fix exactly this, and
    // the bot's own roles must be as fresh as the linked one for the position check below. A failed fetch says
    // nothing about the role, so it is "unknown", never "role-missing" (which would refuse a valid link).
    const roles = await guild.roles.fetch().catch(() => null);
    if (!roles) return "unknown";
    const role = roles.get(roleId);
    if (!role) return "role-missing";
    if (role.managed) return "managed-role";
    const me = await guild.members.fetchMe({ force: true }).catch(() => null);
    if (!me) return "unknown";
    if (!me.permissions.has(PermissionFlagsBits.ManageRoles)) return "missing-manage-roles";
    if (role.comparePositionTo(me.roles.highest) >= 0) return "role-above-bot";
    return null;
  }

  async function change(
    method: "put" | "delete",
    guildId: string,
    userId: string,
    roleId: string,
  ): Promise<RoleProblem | null> {
    try {
      await client.rest[method](Routes.guildMemberRole(guildId, userId, roleId), {
        reason: method === "put" ? "Khitomer: faction membership" : "Khitomer: left faction",
      });
      return null;
    } catch (error) {
      if (!(error instanceof DiscordAPIError)) throw error;
      if (error.code === RESTJSONErrorCodes.UnknownMember) return "member-missing";
      if (error.code === RESTJSONErrorCodes.UnknownRole) return "role-missing";
      if (error.code === RESTJSONErrorCodes.MissingPermissions) return (await diagnose(guildId, roleId)) ?? "unknown";
      return "unknown";
    }
  }

  return {
    diagnose,
    async grant(guildId, userId, roleId) {
      return (await diagnose(guildId, roleId)) ?? change("put", guildId, userId, roleId);
    },
    async revoke(guildId, userId, roleId) {
      return (await diagnose(guildId, roleId)) ?? change("delete", guildId, userId, roleId);
    },
    async holders(guildId, roleId) {
      // Without the Server Members intent Discord sends no member list; asking would only time out.
      if (!options.membersIntent) return null;
      const guild = await guildOf(guildId);
      if (!guild) return null;
      try {
        // The whole member list: needs the Server Members intent.
        const members = await guild.members.fetch({ time: 15_000 });
        return [...members.filter((m) => m.roles.cache.has(roleId)).keys()];
      } catch {
        return null;
      }
    },
    async isMember(guildId, userId) {
      const guild = await guildOf(guildId);
      if (!guild) return null;
      try {
        await guild.members.fetch({ user: userId, force: true });
        return true;
      } catch (error) {
        if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMember) return false;
        return null;
      }
    },
  };
}
