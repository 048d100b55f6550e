import { type BaseInteraction, GuildMember, PermissionFlagsBits } from "discord.js";
import { UserError } from "../errors.js";
import { canAdminister } from "../factions/rules.js";
import type { AppContext } from "./command-module.js";

/** The server an interaction happened in; these commands make no sense in DMs. */
export function requireGuild(interaction: BaseInteraction): string {
  if (!interaction.guildId) throw new UserError("guild-only", "This works only on a server.");
  return interaction.guildId;
}

export function memberRoleIds(interaction: BaseInteraction): string[] {
  const member = interaction.member;
  if (!member) return [];
  return member instanceof GuildMember ? [...member.roles.cache.keys()] : [...member.roles];
}

export async function isAdmin(interaction: BaseInteraction, ctx: AppContext): Promise<boolean> {
  const guildId = requireGuild(interaction);
  const settings = await ctx.factions.settings(guildId);
  const manageGuild = interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false;
  return canAdminister(manageGuild, memberRoleIds(interaction), settings);
}

/** Admin commands: Manage Server, or the council role the server configured with /config council-role. */
export async function requireAdmin(interaction: BaseInteraction, ctx: AppContext): Promise<string> {
  const guildId = requireGuild(interaction);
  if (await isAdmin(interaction, ctx)) return guildId;
  const settings = await ctx.factions.settings(guildId);
  throw new UserError(
    "not-admin",
    settings.councilRoleId
      ? `You need the Manage Server permission or the <@&${settings.councilRoleId}> role for this.`
      : "You need the Manage Server permission for this (admins can also let a council role do it with `/config council-role`).",
  );
}
