/**
 * LoopbackDiscord: a Discord API stand-in on 127.0.0.1 that the real
 * discord.js Client logs into (REST under /api/v10 plus a gateway socket).
 * Tests seed guild state, dispatch interactions shaped as Discord sends them,
 * and read back exactly what the bot sent.
 *
 * Usage: `const discord = await LoopbackDiscord.start({ guilds: [...] });`
 * then `new Client({ intents, rest: { api: discord.apiBase } }).login(discord.token)`.
 */
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  APIApplicationCommand,
  APIDMChannel,
  APIGuildMember,
  APIGuildScheduledEvent,
  APIInteraction,
  APIMessage,
  APIRole,
  APIUser,
} from "discord.js";
import { GatewayDispatchEvents, GatewayIntentBits } from "discord.js";
import type { GuildChannelPayload } from "./api-objects.js";
import { apiChannel, apiDmChannel, apiMember, apiRole, apiUser, guildCreatePayload } from "./api-objects.js";
import { Core } from "./core.js";
import type { DispatchTarget, GatewayCloseRecord, GatewayHost, GatewaySessionInfo } from "./gateway.js";
import { Gateway } from "./gateway.js";
import { InteractionHandle } from "./interaction-state.js";
import type { FixtureDirectory } from "./interactions.js";
import type { JsonObject } from "./json.js";
import { clone, isObject } from "./json.js";
import type { RecordedRequest, RouteRequest } from "./rest.js";
import { RestHandler } from "./rest.js";
import { appRoutes } from "./routes-app.js";
import { channelRoutes } from "./routes-channels.js";
import { guildRoutes } from "./routes-guilds.js";
import { interactionRoutes } from "./routes-interactions.js";
import { scheduledEventRoutes } from "./routes-scheduled-events.js";
import { snowflake } from "./snowflake.js";
import { ChangeSignal, waitFor } from "./wait.js";
import type { GuildSeed, MemberSeed } from "./world.js";
import { World } from "./world.js";

export type { DispatchTarget, GatewayCloseRecord, GatewaySessionInfo } from "./gateway.js";
export type { InteractionCallback, SettleOptions } from "./interaction-state.js";
export { InteractionHandle } from "./interaction-state.js";
export type { RecordedRequest, RouteRequest } from "./rest.js";
export { distinctShardGuilds, guildIdOnShard, shardIdForGuild, snowflake } from "./snowflake.js";
export type { ChannelSeed, GuildSeed, MemberSeed, RoleSeed, SeedChannelType, UserSeed } from "./world.js";
export { DEFAULT_BOT_PERMISSIONS } from "./world.js";

export interface LoopbackOptions {
  /** Defaults to the bot user's id, as for applications created in the developer portal. */
  applicationId?: string;
  botUser?: { id: string; username: string };
  /** Defaults to one guild with a #general text channel. */
  guilds?: GuildSeed[];
  /** Bot token the server accepts; generated when omitted (read it back from `token`). */
  token?: string;
  /** Shard count recommended by GET /gateway/bot. */
  shardCount?: number;
  /** HELLO heartbeat interval. discord.js waits interval × jitter before its first beat. */
  heartbeatIntervalMs?: number;
  /** Window for the first interaction callback before Discord answers 10062. Default 3000. */
  callbackDeadlineMs?: number;
  /** Per-bucket REST limit; generous by default so discord.js never queues. */
  rateLimit?: { limit: number; windowMs: number };
}

export interface InteractOptions {
  /** How long `callback` waits for the bot to answer. Default 2000 ms. */
  timeoutMs?: number;
}

export class LoopbackDiscord implements FixtureDirectory {
  readonly applicationId: string;
  readonly token: string;
  /** Every REST call the bot made, in arrival order. */
  readonly requests: RecordedRequest[] = [];

  private readonly core: Core;
  private readonly gateway: Gateway;
  private readonly requestSignal = new ChangeSignal();
  private readonly forbidRules = new Set<(request: RouteRequest) => boolean>();
  private readonly stallRules = new Set<(request: RouteRequest) => "before" | "after" | undefined>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly http: Server,
    options: LoopbackOptions,
  ) {
    const bot = options.botUser ?? { id: snowflake(), username: "loopback-bot" };
    const world = new World({ id: bot.id, username: bot.username, globalName: null, bot: true });
    this.applicationId = options.applicationId ?? bot.id;
    this.token = options.token ?? generateToken(bot.id);
    this.core = new Core(world, this.applicationId, {
      callbackDeadlineMs: options.callbackDeadlineMs ?? 3000,
      shardCount: options.shardCount ?? 1,
      gatewayUrl: () => this.gatewayUrl,
    });
    const guilds = options.guilds ?? [
      { id: snowflake(), name: "Loopback Guild", channels: [{ id: snowflake(), name: "general" }] },
    ];
    for (const seed of guilds) world.addGuild(seed);
    this.gateway = new Gateway(http, this.gatewayHost(), {
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      url: () => this.gatewayUrl,
    });
    this.core.gateway = this.gateway;
    const rest = new RestHandler({
      token: this.token,
      routes: [
        ...appRoutes(this.core),
        ...interactionRoutes(this.core),
        ...channelRoutes(this.core),
        ...guildRoutes(this.core),
        ...scheduledEventRoutes(this.core),
      ],
      forbids: (request) => [...this.forbidRules].some((rule) => rule(request)),
      stalls: (request) => {
        for (const rule of this.stallRules) {
          const stall = rule(request);
          if (stall) return stall;
        }
        return undefined;
      },
      onRecorded: (request) => {
        this.requests.push(request);
        this.requestSignal.notify();
      },
      rateLimit: options.rateLimit ?? { limit: 1000, windowMs: 1000 },
    });
    http.on("request", (req, res) => {
      rest.handle(req, res).catch((error: unknown) => {
        console.error("loopback: request failed", error);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  }

  static async start(options: LoopbackOptions = {}): Promise<LoopbackDiscord> {
    const http = createServer();
    const discord = new LoopbackDiscord(http, options);
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen(0, "127.0.0.1", () => resolve());
    });
    return discord;
  }

  /** For the `rest.api` client option / DISCORD_API_BASE: discord.js appends /v10. */
  get apiBase(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  get botUser(): APIUser {
    return this.core.botUser();
  }

  // --- REST record -------------------------------------------------------

  /** Resolves with the first recorded request (past or future) matching `predicate`. */
  waitForRequest(predicate: (request: RecordedRequest) => boolean, timeoutMs = 2000): Promise<RecordedRequest> {
    return waitFor(
      this.requestSignal,
      () => this.requests.find(predicate),
      timeoutMs,
      () => "a matching REST request",
    );
  }

  /**
   * Makes matching requests answer 403 Missing Permissions (50013), on top of
   * the role-hierarchy rules already modelled. Returns a function that lifts it.
   */
  forbid(rule: (request: RouteRequest) => boolean): () => void {
    this.forbidRules.add(rule);
    return () => this.forbidRules.delete(rule);
  }

  /**
   * The next request matching `rule` never gets an answer, as when its caller dies mid-call. `when: "after"`
   * carries it out first (the message exists, the caller never learns it); "before" drops it unseen. `caught`
   * resolves with the request once it arrived; later matching requests are answered normally.
   */
  stallNext(
    rule: (request: RouteRequest) => boolean,
    when: "before" | "after" = "after",
  ): { caught: Promise<RouteRequest>; lift(): void } {
    let resolve!: (request: RouteRequest) => void;
    const caught = new Promise<RouteRequest>((r) => {
      resolve = r;
    });
    const stall = (request: RouteRequest) => {
      if (!rule(request)) return undefined;
      this.stallRules.delete(stall);
      resolve(request);
      return when;
    };
    this.stallRules.add(stall);
    return { caught, lift: () => this.stallRules.delete(stall) };
  }

  // --- state -------------------------------------------------------------

  /** Seeds a guild at runtime; connected sessions receive GUILD_CREATE as when the bot joins one. */
  addGuild(seed: GuildSeed): void {
    const guild = this.core.world.addGuild(seed);
    this.gateway.dispatchGuildCreate(guild.id);
  }

  /** Deletes a channel: later REST calls get 404 Unknown Channel. `notify: false` skips CHANNEL_DELETE (a stale cache). */
  removeChannel(guildId: string, channelId: string, options: { notify?: boolean } = {}): void {
    const channel = this.core.world.removeChannel(guildId, channelId);
    if (options.notify === false) return;
    this.dispatch(GatewayDispatchEvents.ChannelDelete, apiChannel(channel), {
      guildId,
      intent: GatewayIntentBits.Guilds,
    });
  }

  /**
   * A member joins: later REST calls see them, and GUILD_MEMBERS sessions on the
   * guild's shard get GUILD_MEMBER_ADD. Returns how many sessions got the event.
   */
  addMember(guildId: string, seed: MemberSeed): number {
    const member = this.core.world.addMember(guildId, seed);
    return this.dispatch(
      GatewayDispatchEvents.GuildMemberAdd,
      { guild_id: guildId, ...apiMember(this.core.world, member) },
      { guildId, intent: GatewayIntentBits.GuildMembers },
    );
  }

  /**
   * A member leaves (or is kicked): GET /guilds/:id/members/:user answers 10007,
   * and GUILD_MEMBERS sessions on the guild's shard get GUILD_MEMBER_REMOVE.
   * The user still exists. Returns how many sessions got the event.
   */
  removeMember(guildId: string, userId: string): number {
    this.core.world.removeMember(guildId, userId);
    return this.dispatch(
      GatewayDispatchEvents.GuildMemberRemove,
      { guild_id: guildId, user: apiUser(this.core.world.user(userId)) },
      { guildId, intent: GatewayIntentBits.GuildMembers },
    );
  }

  /**
   * Makes a user refuse DMs from the bot (privacy settings or a block): opening
   * the DM channel still works, sending in it answers 403 with code 50007.
   * Returns a function that opens their DMs again.
   */
  closeDirectMessages(userId: string): () => void {
    this.core.world.user(userId);
    this.core.world.closedDms.add(userId);
    return () => this.core.world.closedDms.delete(userId);
  }

  /** The bot's DM channel with a user, once it has opened one. */
  directMessageChannel(userId: string): APIDMChannel | undefined {
    const channel = this.core.world.dmWith(userId);
    return channel ? apiDmChannel(this.core.world, channel) : undefined;
  }

  /** Messages the bot has sent a user privately, oldest first; same as `messages(dmChannelId)`. */
  directMessages(userId: string): APIMessage[] {
    const channel = this.core.world.dmWith(userId);
    return channel ? this.core.messages.inChannel(channel.id) : [];
  }

  /** Non-ephemeral messages the bot has in a channel (including interaction responses), oldest first. */
  messages(channelId: string): APIMessage[] {
    return this.core.messages.inChannel(channelId);
  }

  /** Any stored message by id, ephemeral ones included. */
  message(id: string): APIMessage | undefined {
    const message = this.core.messages.get(id);
    return message ? clone(message) : undefined;
  }

  commands(guildId?: string): APIApplicationCommand[] {
    return clone(this.core.commands.list(guildId));
  }

  /** A registered command by name (guild commands first), e.g. to build typed interaction options. */
  command(name: string, guildId?: string): APIApplicationCommand | undefined {
    const command = this.core.commands.find(name, guildId);
    return command ? clone(command) : undefined;
  }

  scheduledEvents(guildId: string): APIGuildScheduledEvent[] {
    return clone([...this.core.world.guild(guildId).scheduledEvents.values()]);
  }

  roles(guildId: string): APIRole[] {
    return [...this.core.world.guild(guildId).roles.values()].map(apiRole);
  }

  // --- FixtureDirectory: lets interaction fixtures resolve seeded state ------

  userObject(userId: string): APIUser | undefined {
    return this.core.resolveUser(userId);
  }

  memberObject(guildId: string, userId: string): APIGuildMember | undefined {
    const member = this.core.world.guilds.get(guildId)?.members.get(userId);
    return member ? apiMember(this.core.world, member) : undefined;
  }

  channelObject(channelId: string): GuildChannelPayload | undefined {
    const channel = this.core.world.findChannel(channelId);
    return channel ? apiChannel(channel) : undefined;
  }

  roleObject(guildId: string, roleId: string): APIRole | undefined {
    const role = this.core.world.guilds.get(guildId)?.roles.get(roleId);
    return role ? apiRole(role) : undefined;
  }

  permissionsOf(guildId: string, userId: string): bigint | undefined {
    return this.core.world.guilds.has(guildId) ? this.core.world.permissions(guildId, userId) : undefined;
  }

  guildLocale(guildId: string): string | undefined {
    return this.core.world.guilds.get(guildId)?.preferredLocale;
  }

  // --- gateway -------------------------------------------------------------

  sessions(): GatewaySessionInfo[] {
    return this.gateway.sessionInfos();
  }

  /** Resolves once a client has identified and been sent its guilds (immediately if one already has). */
  waitForReady(timeoutMs = 5000): Promise<GatewaySessionInfo> {
    return this.gateway.waitForReady(timeoutMs);
  }

  /**
   * Sends a dispatch event to the sessions that should see it (shard routing by
   * guild id; optional intent filter). INTERACTION_CREATE payloads are also
   * registered so their tokens work on the REST side. Returns the delivery count.
   */
  dispatch(event: string, data: unknown, target: DispatchTarget = {}): number {
    if (event === GatewayDispatchEvents.InteractionCreate && isInteraction(data)) this.core.interactions.register(data);
    return this.gateway.dispatch(event, data, target);
  }

  /** Sends opcode 7 so clients reconnect and RESUME. */
  requestReconnect(): void {
    this.gateway.requestReconnect();
  }

  get gatewayCloses(): readonly GatewayCloseRecord[] {
    return this.gateway.closes;
  }

  /** Resolves with the first recorded socket close (past or future) matching `predicate`. */
  waitForGatewayClose(
    predicate: (close: GatewayCloseRecord) => boolean = () => true,
    timeoutMs = 2000,
  ): Promise<GatewayCloseRecord> {
    return this.gateway.waitForClose(predicate, timeoutMs);
  }

  // --- interactions ----------------------------------------------------------

  /** Dispatches an interaction and returns the handle that observes the bot's answer on its token. */
  interact(payload: APIInteraction, options: InteractOptions = {}): InteractionHandle {
    if (payload.application_id !== this.applicationId) {
      throw new Error(
        `loopback: payload.application_id ${payload.application_id} is not this server's ${this.applicationId}; build fixtures with { discord }`,
      );
    }
    const delivered = this.dispatch(GatewayDispatchEvents.InteractionCreate, payload);
    if (delivered === 0) {
      throw new Error(
        `loopback: no ready gateway session handles guild ${payload.guild_id ?? "(none)"}; log a client in first`,
      );
    }
    const record = this.core.interactions.withId(payload.id);
    if (!record) throw new Error(`loopback: interaction ${payload.id} was not registered`);
    return new InteractionHandle(record, this.core.messages, options.timeoutMs ?? 2000);
  }

  /** Closes every socket and the HTTP server. Destroy clients first, or they will try to reconnect. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.gateway.close();
      this.http.closeAllConnections();
      await new Promise<void>((resolve) => this.http.close(() => resolve()));
    })();
    return this.closing;
  }

  private get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  private gatewayHost(): GatewayHost {
    const world = this.core.world;
    return {
      token: this.token,
      applicationId: this.applicationId,
      botUser: () => this.core.botUser(),
      guildIds: () => [...world.guilds.keys()],
      guildCreate: (guildId, intents) =>
        guildCreatePayload(world, world.guild(guildId), (intents & GatewayIntentBits.GuildMembers) !== 0),
      membersChunks: (request) => membersChunks(this.core, request),
    };
  }
}

/** Answers REQUEST_GUILD_MEMBERS (opcode 8): discord.js uses it for guild.members.fetch() without ids. */
function membersChunks(core: Core, request: JsonObject): JsonObject[] {
  const guildIds = Array.isArray(request.guild_id) ? request.guild_id.map(String) : [String(request.guild_id)];
  const query = typeof request.query === "string" ? request.query.toLowerCase() : undefined;
  const userIds = Array.isArray(request.user_ids)
    ? request.user_ids.map(String)
    : typeof request.user_ids === "string"
      ? [request.user_ids]
      : undefined;
  const limit = typeof request.limit === "number" && request.limit > 0 ? request.limit : Number.POSITIVE_INFINITY;
  return guildIds.flatMap((guildId) => {
    const guild = core.world.guilds.get(guildId);
    if (!guild) return [];
    const members = [...guild.members.values()]
      .filter((member) => !userIds || userIds.includes(member.userId))
      .filter((member) => {
        if (!query) return true;
        const user = core.world.users.get(member.userId);
        return [user?.username, member.nick].some((name) => name?.toLowerCase().startsWith(query));
      })
      .slice(0, limit);
    const notFound = userIds?.filter((id) => !guild.members.has(id)) ?? [];
    return [
      {
        guild_id: guildId,
        members: members.map((member) => apiMember(core.world, member)),
        chunk_index: 0,
        chunk_count: 1,
        ...(notFound.length ? { not_found: notFound } : {}),
        ...(request.nonce !== undefined ? { nonce: request.nonce } : {}),
      },
    ];
  });
}

/** Looks like a real token (base64 user id . timestamp . hmac) so discord.js's censoring works unchanged. */
function generateToken(botId: string): string {
  return `${Buffer.from(botId).toString("base64url")}.${randomBytes(4).toString("base64url")}.${randomBytes(27).toString("base64url")}`;
}

function isInteraction(data: unknown): data is APIInteraction {
  return (
    isObject(data) && typeof data.id === "string" && typeof data.token === "string" && typeof data.type === "number"
  );
}
