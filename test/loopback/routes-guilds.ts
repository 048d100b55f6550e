/**
 * Guild routes: the guild, its channels, roles and members, and member role
 * changes checked against Discord's role hierarchy.
 */
import { GatewayDispatchEvents, GatewayIntentBits } from "discord.js";
import { apiChannel, apiGuild, apiMember, apiRole } from "./api-objects.js";
import type { Core } from "./core.js";
import { discordErrors } from "./errors.js";
import type { RouteDefinition, RouteRequest, RouteResult } from "./rest.js";
import { noContent, ok } from "./rest.js";

export function guildRoutes(core: Core): RouteDefinition[] {
  const guild = (request: RouteRequest) => core.world.guild(request.params.guildId ?? "");
  const memberRole = "/guilds/:guildId/members/:userId/roles/:roleId";
  return [
    { method: "GET", path: "/guilds/:guildId", auth: true, handle: (r) => ok(guildObject(core, r)) },
    {
      method: "GET",
      path: "/guilds/:guildId/channels",
      auth: true,
      handle: (r) => ok([...guild(r).channels.values()].map((c) => apiChannel(c))),
    },
    {
      method: "GET",
      path: "/guilds/:guildId/roles",
      auth: true,
      handle: (r) => ok([...guild(r).roles.values()].map(apiRole)),
    },
    { method: "GET", path: "/guilds/:guildId/members", auth: true, handle: (r) => ok(listMembers(core, r)) },
    {
      method: "GET",
      path: "/guilds/:guildId/members/:userId",
      auth: true,
      handle: (r) => ok(apiMember(core.world, core.world.member(r.params.guildId ?? "", r.params.userId ?? ""))),
    },
    { method: "PUT", path: memberRole, auth: true, handle: (r) => changeRole(core, r, "add") },
    { method: "DELETE", path: memberRole, auth: true, handle: (r) => changeRole(core, r, "remove") },
  ];
}

function guildObject(core: Core, request: RouteRequest) {
  const guild = core.world.guild(request.params.guildId ?? "");
  const base = apiGuild(guild);
  if (request.query.with_counts !== "true") return base;
  return { ...base, approximate_member_count: guild.members.size, approximate_presence_count: 0 };
}

function listMembers(core: Core, request: RouteRequest) {
  const guild = core.world.guild(request.params.guildId ?? "");
  const limit = Math.min(1000, Math.max(1, Number(request.query.limit ?? 1)));
  const after = BigInt(request.query.after ?? "0");
  return [...guild.members.values()]
    .filter((member) => BigInt(member.userId) > after)
    .sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1))
    .slice(0, limit)
    .map((member) => apiMember(core.world, member));
}

function changeRole(core: Core, request: RouteRequest, change: "add" | "remove"): RouteResult {
  const guildId = request.params.guildId ?? "";
  const member = core.world.member(guildId, request.params.userId ?? "");
  const role = core.world.role(guildId, request.params.roleId ?? "");
  if (!core.world.botMayManageRole(guildId, role)) throw discordErrors.missingPermissions();
  const has = member.roles.includes(role.id);
  if (change === "add" && !has) member.roles.push(role.id);
  if (change === "remove" && has) member.roles.splice(member.roles.indexOf(role.id), 1);
  if (has !== (change === "add")) {
    core.dispatch(
      GatewayDispatchEvents.GuildMemberUpdate,
      { guild_id: guildId, ...apiMember(core.world, member) },
      { guildId, intent: GatewayIntentBits.GuildMembers },
    );
  }
  return noContent();
}
