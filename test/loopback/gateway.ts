/**
 * The gateway half: HELLO → IDENTIFY → READY + GUILD_CREATE, heartbeats,
 * RESUME with replay, shard-aware dispatch, and a record of socket closes.
 * JSON encoding only; zlib-stream transport compression is honoured because
 * discord.js turns it on by itself whenever zlib-sync is installed.
 */
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import zlib from "node:zlib";
import type { APIUser, ApplicationFlags, GatewayGuildCreateDispatchData, GatewayReadyDispatchData } from "discord.js";
import { GatewayCloseCodes, GatewayDispatchEvents, GatewayIntentBits, GatewayOpcodes } from "discord.js";
import type { RawData, WebSocket } from "ws";
import { WebSocketServer } from "ws";
import type { JsonObject } from "./json.js";
import { asObject, isObject } from "./json.js";
import { shardIdForGuild } from "./snowflake.js";
import { ChangeSignal, waitFor } from "./wait.js";

export interface GatewayHost {
  token: string;
  applicationId: string;
  botUser(): APIUser;
  guildIds(): string[];
  guildCreate(guildId: string, intents: number): GatewayGuildCreateDispatchData;
  membersChunks(request: JsonObject): JsonObject[];
}

export interface GatewaySessionInfo {
  sessionId: string;
  shard: [id: number, count: number];
  intents: number;
  connected: boolean;
  ready: boolean;
  /** Sequence number of the last dispatch sent on this session. */
  sequence: number;
}

export interface GatewayCloseRecord {
  sessionId: string | null;
  code: number;
  reason: string;
  /** "client" when the bot closed the socket (e.g. client.destroy()), "server" when the harness did. */
  initiatedBy: "client" | "server";
  at: number;
}

export interface DispatchTarget {
  /** Route like Discord: only the shard owning this guild gets the event. Derived from the payload when omitted. */
  guildId?: string | null;
  /** Skip sessions that did not identify with this intent bit. */
  intent?: number;
}

interface DispatchPayload {
  op: GatewayOpcodes.Dispatch;
  t: string;
  s: number;
  d: unknown;
}

interface Session {
  id: string;
  shard: [number, number];
  intents: number;
  seq: number;
  ready: boolean;
  resumable: boolean;
  connection: Connection | null;
  history: DispatchPayload[];
}

interface Connection {
  socket: WebSocket;
  deflate: zlib.Deflate | null;
  sendChain: Promise<void>;
  session: Session | null;
  closingByServer: boolean;
}

const HISTORY_LIMIT = 1000;
const GUILD_EVENTS_BY_ID = new Set<string>([
  GatewayDispatchEvents.GuildCreate,
  GatewayDispatchEvents.GuildUpdate,
  GatewayDispatchEvents.GuildDelete,
]);

export class Gateway {
  readonly closes: GatewayCloseRecord[] = [];
  private readonly sessions = new Map<string, Session>();
  private readonly connections = new Set<Connection>();
  private readonly changed = new ChangeSignal();
  private readonly wss: WebSocketServer;

  constructor(
    server: Server,
    private readonly host: GatewayHost,
    private readonly options: { heartbeatIntervalMs: number; url: () => string },
  ) {
    this.wss = new WebSocketServer({ server, path: "/gateway" });
    this.wss.on("connection", (socket, request) => this.accept(socket, new URL(request.url ?? "/", "http://loopback")));
  }

  sessionInfos(): GatewaySessionInfo[] {
    return [...this.sessions.values()].filter((session) => session.connection || session.resumable).map(info);
  }

  waitForReady(timeoutMs: number): Promise<GatewaySessionInfo> {
    return waitFor(
      this.changed,
      () => {
        const ready = [...this.sessions.values()].find((session) => session.ready && session.connection);
        return ready ? info(ready) : undefined;
      },
      timeoutMs,
      () => "a gateway session to identify and receive its guilds",
    );
  }

  waitForClose(predicate: (close: GatewayCloseRecord) => boolean, timeoutMs: number): Promise<GatewayCloseRecord> {
    return waitFor(
      this.changed,
      () => this.closes.find(predicate),
      timeoutMs,
      () => "the gateway socket to close",
    );
  }

  /** Sends a dispatch to every session that should see it; returns how many did. */
  dispatch(event: string, data: unknown, target: DispatchTarget = {}): number {
    const guildId = target.guildId === undefined ? guildIdOf(event, data) : target.guildId;
    const sessions = this.targets(guildId, target.intent);
    for (const session of sessions) this.sendDispatch(session, event, data);
    return sessions.length;
  }

  /** GUILD_CREATE is built per session: member lists depend on the GUILD_MEMBERS intent. */
  dispatchGuildCreate(guildId: string): number {
    const sessions = this.targets(guildId, GatewayIntentBits.Guilds);
    for (const session of sessions) {
      this.sendDispatch(session, GatewayDispatchEvents.GuildCreate, this.host.guildCreate(guildId, session.intents));
    }
    return sessions.length;
  }

  private targets(guildId: string | null, intent: number | undefined): Session[] {
    return [...this.sessions.values()].filter(
      (session) =>
        session.ready &&
        (session.connection !== null || session.resumable) &&
        (intent === undefined || (session.intents & intent) !== 0) &&
        sessionOwns(session, guildId),
    );
  }

  /** Asks every connected client to reconnect and RESUME (opcode 7), as Discord does before maintenance. */
  requestReconnect(): void {
    for (const connection of this.connections) this.send(connection, { op: GatewayOpcodes.Reconnect, d: null });
  }

  async close(): Promise<void> {
    for (const connection of this.connections) {
      connection.closingByServer = true;
      connection.socket.terminate();
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(socket: WebSocket, url: URL): void {
    const connection: Connection = {
      socket,
      deflate:
        url.searchParams.get("compress") === "zlib-stream"
          ? zlib.createDeflate({ flush: zlib.constants.Z_NO_FLUSH })
          : null,
      sendChain: Promise.resolve(),
      session: null,
      closingByServer: false,
    };
    this.connections.add(connection);
    socket.on("message", (raw) => this.receive(connection, raw));
    socket.on("close", (code, reason) => this.onClosed(connection, code, reason.toString()));
    socket.on("error", () => undefined);
    const refusal = refuseConnection(url);
    if (refusal) {
      this.closeWith(connection, refusal.code, refusal.reason);
      return;
    }
    this.send(connection, {
      op: GatewayOpcodes.Hello,
      d: { heartbeat_interval: this.options.heartbeatIntervalMs, _trace: ["loopback"] },
    });
  }

  private receive(connection: Connection, raw: RawData): void {
    let payload: JsonObject;
    try {
      payload = asObject(JSON.parse(raw.toString()));
    } catch {
      this.closeWith(connection, GatewayCloseCodes.DecodeError, "Error while decoding payload.");
      return;
    }
    const d = asObject(payload.d);
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        this.send(connection, { op: GatewayOpcodes.HeartbeatAck, d: null });
        break;
      case GatewayOpcodes.Identify:
        this.identify(connection, d);
        break;
      case GatewayOpcodes.Resume:
        this.resume(connection, d);
        break;
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
        this.requireSession(connection);
        break;
      case GatewayOpcodes.RequestGuildMembers:
        this.requestMembers(connection, d);
        break;
      default:
        this.closeWith(connection, GatewayCloseCodes.UnknownOpcode, "Unknown opcode.");
    }
  }

  private requestMembers(connection: Connection, d: JsonObject): void {
    const session = this.requireSession(connection);
    if (!session) return;
    for (const chunk of this.host.membersChunks(d))
      this.sendDispatch(session, GatewayDispatchEvents.GuildMembersChunk, chunk);
  }

  private identify(connection: Connection, d: JsonObject): void {
    const refusal = this.refuseIdentify(connection, d);
    const shard = parseShard(d.shard);
    if (refusal || !shard || typeof d.intents !== "number") {
      const { code, reason } = refusal ?? (shard ? INVALID_INTENTS : INVALID_SHARD);
      this.closeWith(connection, code, reason);
      return;
    }
    const session: Session = {
      id: randomBytes(16).toString("hex"),
      shard,
      intents: d.intents,
      seq: 0,
      ready: false,
      resumable: true,
      connection,
      history: [],
    };
    this.sessions.set(session.id, session);
    connection.session = session;
    this.sendReady(session);
  }

  private sendReady(session: Session): void {
    const guildIds = this.host.guildIds().filter((id) => sessionOwns(session, id));
    const ready: GatewayReadyDispatchData & JsonObject = {
      v: 10,
      user: this.host.botUser(),
      guilds: guildIds.map((id) => ({ id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.options.url(),
      shard: session.shard,
      application: { id: this.host.applicationId, flags: 0 as ApplicationFlags, flags_new: "0" },
      session_type: "normal",
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: ["loopback"],
      user_settings: {},
      auth: {},
      _trace: ["loopback"],
    };
    this.sendDispatch(session, GatewayDispatchEvents.Ready, ready);
    // Without the GUILDS intent Discord sends no GUILD_CREATE; discord.js then stops waiting on its own.
    if (session.intents & GatewayIntentBits.Guilds) {
      for (const id of guildIds)
        this.sendDispatch(session, GatewayDispatchEvents.GuildCreate, this.host.guildCreate(id, session.intents));
    }
    session.ready = true;
    this.changed.notify();
  }

  private refuseIdentify(connection: Connection, d: JsonObject): Refusal | undefined {
    if (connection.session) return { code: GatewayCloseCodes.AlreadyAuthenticated, reason: "Already authenticated." };
    if (d.token !== this.host.token)
      return { code: GatewayCloseCodes.AuthenticationFailed, reason: "Authentication failed." };
    return undefined;
  }

  private resume(connection: Connection, d: JsonObject): void {
    const session = typeof d.session_id === "string" ? this.sessions.get(d.session_id) : undefined;
    const seq = typeof d.seq === "number" ? d.seq : 0;
    if (!session?.resumable || d.token !== this.host.token || session.connection) {
      this.send(connection, { op: GatewayOpcodes.InvalidSession, d: false });
      return;
    }
    session.connection = connection;
    connection.session = session;
    for (const missed of session.history.filter((payload) => payload.s > seq)) this.send(connection, missed);
    this.sendDispatch(session, GatewayDispatchEvents.Resumed, { _trace: ["loopback"] });
    this.changed.notify();
  }

  private requireSession(connection: Connection): Session | undefined {
    if (connection.session) return connection.session;
    this.closeWith(connection, GatewayCloseCodes.NotAuthenticated, "Not authenticated.");
    return undefined;
  }

  private sendDispatch(session: Session, event: string, data: unknown): void {
    session.seq += 1;
    const payload: DispatchPayload = { op: GatewayOpcodes.Dispatch, t: event, s: session.seq, d: data };
    session.history.push(payload);
    if (session.history.length > HISTORY_LIMIT) session.history.shift();
    if (session.connection) this.send(session.connection, payload);
  }

  private send(connection: Connection, payload: { op: GatewayOpcodes; d: unknown; t?: string; s?: number }): void {
    const text = JSON.stringify({ t: null, s: null, ...payload });
    const { deflate, socket } = connection;
    if (!deflate) {
      if (socket.readyState === socket.OPEN) socket.send(text);
      return;
    }
    // One deflate context per connection, flushed per message: what zlib-stream clients inflate.
    connection.sendChain = connection.sendChain.then(
      () =>
        new Promise<void>((resolve) => {
          const chunks: Buffer[] = [];
          const collect = (chunk: Buffer) => chunks.push(chunk);
          deflate.on("data", collect);
          deflate.write(text);
          deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            deflate.off("data", collect);
            if (socket.readyState === socket.OPEN) socket.send(Buffer.concat(chunks));
            resolve();
          });
        }),
    );
  }

  private closeWith(connection: Connection, code: number, reason: string): void {
    connection.closingByServer = true;
    connection.socket.close(code, reason);
  }

  private onClosed(connection: Connection, code: number, reason: string): void {
    this.connections.delete(connection);
    connection.deflate?.close();
    const session = connection.session;
    if (session && session.connection === connection) {
      session.connection = null;
      // Discord ends a session on a normal close (1000/1001); anything else may RESUME.
      session.resumable = code !== 1000 && code !== 1001 && !connection.closingByServer;
    }
    this.closes.push({
      sessionId: session?.id ?? null,
      code,
      reason,
      initiatedBy: connection.closingByServer ? "server" : "client",
      at: Date.now(),
    });
    this.changed.notify();
  }
}

interface Refusal {
  code: GatewayCloseCodes;
  reason: string;
}

const INVALID_SHARD: Refusal = { code: GatewayCloseCodes.InvalidShard, reason: "Invalid shard." };
const INVALID_INTENTS: Refusal = { code: GatewayCloseCodes.InvalidIntents, reason: "Invalid intent(s)." };

/** Discord refuses unknown API versions and encodings at connect time. */
function refuseConnection(url: URL): Refusal | undefined {
  if (url.searchParams.get("v") !== "10")
    return { code: GatewayCloseCodes.InvalidAPIVersion, reason: "Invalid API version" };
  if ((url.searchParams.get("encoding") ?? "json") !== "json") {
    return { code: GatewayCloseCodes.DecodeError, reason: "loopback supports encoding=json only" };
  }
  return undefined;
}

function info(session: Session): GatewaySessionInfo {
  return {
    sessionId: session.id,
    shard: [...session.shard],
    intents: session.intents,
    connected: session.connection !== null,
    ready: session.ready,
    sequence: session.seq,
  };
}

function parseShard(value: unknown): [number, number] | undefined {
  if (value === undefined) return [0, 1];
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [id, count] = value;
  if (typeof id !== "number" || typeof count !== "number" || count < 1 || id < 0 || id >= count) return undefined;
  return [id, count];
}

/** Events without a guild (DMs, USER_UPDATE…) go to shard 0, as on Discord. */
function sessionOwns(session: Session, guildId: string | null | undefined): boolean {
  const [id, count] = session.shard;
  if (!guildId) return id === 0;
  return shardIdForGuild(guildId, count) === id;
}

function guildIdOf(event: string, data: unknown): string | null {
  if (!isObject(data)) return null;
  if (GUILD_EVENTS_BY_ID.has(event) && typeof data.id === "string") return data.id;
  return typeof data.guild_id === "string" ? data.guild_id : null;
}
