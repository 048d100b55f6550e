import {
  type APIGuildMember,
  type Client,
  DiscordAPIError,
  type Guild,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
  Routes,
} from "discord.js";
import type { RoleProblem } from "../factions/model.js";
import type { RoleGateway } from "../factions/roles.js";
import { anyGuild } from "./channel-post.js";

/** RoleGateway over discord.js: checks what Discord would refuse before asking, and names what went wrong. */
export function discordRoles(
  client: Client,
  options: { membersIntent: boolean } = { membersIntent: true },
): RoleGateway {
  async function guildOf(guildId: string): Promise<Guild | null> {
    return await anyGuild(client, guildId).catch(() => null);
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
      // Without the Server Members intent Discord refuses the member list.
      if (!options.membersIntent) return null;
      try {
        // The member list over REST, a page at a time: it works from any process, also one that does not hold
        // this server's shard (a resync job runs wherever it was claimed).
        const holders: string[] = [];
        for (let after = "0"; ; ) {
          const page = (await client.rest.get(Routes.guildMembers(guildId), {
            query: new URLSearchParams({ limit: "1000", after }),
          })) as APIGuildMember[];
          for (const member of page) if (member.user && member.roles.includes(roleId)) holders.push(member.user.id);
          const last = page.at(-1)?.user?.id;
          if (page.length < 1000 || !last) return holders;
          after = last;
        }
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
