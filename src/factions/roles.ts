import type { RoleProblem } from "./model.js";

/**
 * What the faction rules need from Discord's roles, and nothing more. The discord.js implementation lives in
 * src/discord/discord-roles.ts; the domain only ever asks about roles a server linked to a faction.
 */
export interface RoleGateway {
  /** null when the member now has the role. */
  grant(guildId: string, userId: string, roleId: string): Promise<RoleProblem | null>;
  /** null when the member no longer has the role. */
  revoke(guildId: string, userId: string, roleId: string): Promise<RoleProblem | null>;
  /** Why the bot could not hand out this role, or null when it can. */
  diagnose(guildId: string, roleId: string): Promise<RoleProblem | null>;
  /** Ids of the server's members who hold the role; null when the member list cannot be read. */
  holders(guildId: string, roleId: string): Promise<string[] | null>;
  /** Whether the user is on the server now; null when Discord could not say. */
  isMember(guildId: string, userId: string): Promise<boolean | null>;
}
