/**
 * Login-time and application routes: gateway discovery, the bot user, the
 * application, and command registration (global and per guild).
 */
import type { APIApplication, ApplicationFlags } from "discord.js";
import { apiUser } from "./api-objects.js";
import type { Core } from "./core.js";
import { discordErrors } from "./errors.js";
import type { RouteDefinition, RouteRequest } from "./rest.js";
import { noContent, ok } from "./rest.js";

export function appRoutes(core: Core): RouteDefinition[] {
  const global = "/applications/:applicationId/commands";
  const guild = "/applications/:applicationId/guilds/:guildId/commands";
  return [
    { method: "GET", path: "/gateway", auth: false, handle: () => ok({ url: core.settings.gatewayUrl() }) },
    { method: "GET", path: "/gateway/bot", auth: true, handle: () => ok(gatewayBot(core)) },
    { method: "GET", path: "/users/@me", auth: true, handle: () => ok(core.botUser()) },
    {
      method: "GET",
      path: "/users/:userId",
      auth: true,
      handle: (r) => ok(apiUser(core.world.user(r.params.userId ?? ""))),
    },
    { method: "GET", path: "/applications/@me", auth: true, handle: () => ok(application(core)) },
    ...commandRoutes(core, global),
    ...commandRoutes(core, guild),
  ];
}

function commandRoutes(core: Core, base: string): RouteDefinition[] {
  const scope = (request: RouteRequest): string | undefined => {
    if (request.params.applicationId !== core.applicationId) throw discordErrors.missingAccess();
    const guildId = request.params.guildId;
    if (guildId !== undefined && !core.world.guilds.has(guildId)) throw discordErrors.missingAccess();
    return guildId;
  };
  const one = `${base}/:commandId`;
  return [
    { method: "GET", path: base, auth: true, handle: (r) => ok(core.commands.list(scope(r))) },
    { method: "PUT", path: base, auth: true, handle: (r) => ok(core.commands.overwrite(r.rawBody, scope(r))) },
    {
      method: "POST",
      path: base,
      auth: true,
      handle: (r) => {
        const { command, created } = core.commands.upsert(r.rawBody, scope(r));
        return { status: created ? 201 : 200, body: command };
      },
    },
    { method: "GET", path: one, auth: true, handle: (r) => ok(core.commands.get(r.params.commandId ?? "", scope(r))) },
    {
      method: "PATCH",
      path: one,
      auth: true,
      handle: (r) => ok(core.commands.edit(r.params.commandId ?? "", r.rawBody, scope(r))),
    },
    {
      method: "DELETE",
      path: one,
      auth: true,
      handle: (r) => {
        core.commands.delete(r.params.commandId ?? "", scope(r));
        return noContent();
      },
    },
  ];
}

/** discord.js reads `url`, `shards` and the session start limit (max_concurrency paces IDENTIFY). */
function gatewayBot(core: Core) {
  return {
    url: core.settings.gatewayUrl(),
    shards: core.settings.shardCount,
    session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 16 },
  };
}

function application(core: Core): APIApplication {
  return {
    id: core.applicationId,
    name: core.world.bot.username,
    icon: null,
    description: "",
    summary: "",
    bot_public: false,
    bot_require_code_grant: false,
    bot: core.botUser(),
    verify_key: "0".repeat(64),
    team: null,
    flags: 0 as ApplicationFlags,
    flags_new: "0",
    approximate_guild_count: core.world.guilds.size,
    interactions_endpoint_url: null,
    role_connections_verification_url: null,
    integration_types_config: { "0": {} },
  };
}
