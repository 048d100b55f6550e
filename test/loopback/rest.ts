/**
 * The REST half of the loopback server: routing under /api/v10, bot-token
 * auth, Discord-style rate-limit headers, and a record of every request.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { DiscordHttpError, discordErrors } from "./errors.js";
import type { JsonObject } from "./json.js";
import { asObject } from "./json.js";
import type { UploadedFile } from "./messages.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RecordedRequest {
  method: string;
  /** Path after /api/v10 with segments URL-decoded (so `%40original` reads `@original`). */
  route: string;
  query: Record<string, string>;
  /** Parsed JSON body, or the payload_json part of a multipart body; undefined when empty. */
  body: unknown;
  files: UploadedFile[];
  headers: Record<string, string>;
  status: number;
  response: unknown;
  /** False when no loopback route matched: the call would work on Discord but is not modelled here. */
  matched: boolean;
  at: number;
}

export interface RouteRequest {
  method: HttpMethod;
  route: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: JsonObject;
  rawBody: unknown;
  files: UploadedFile[];
  headers: Record<string, string>;
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

export interface RouteDefinition {
  method: HttpMethod;
  /** Segments starting with ":" are parameters, e.g. "/channels/:channelId/messages". */
  path: string;
  /** Interaction callbacks and webhook-token routes are called without a bot token. */
  auth: boolean;
  handle(request: RouteRequest): RouteResult;
}

export interface RestOptions {
  token: string;
  routes: RouteDefinition[];
  /** Extra 403 rule, checked after auth on every matched route. */
  forbids: (request: RouteRequest) => boolean;
  onRecorded: (request: RecordedRequest) => void;
  /**
   * A request that never gets its answer, as when the network or the caller dies mid-call: "before" drops it
   * unseen, "after" carries it out (and records it) but leaves the caller waiting.
   */
  stalls?: (request: RouteRequest) => "before" | "after" | undefined;
  rateLimit: { limit: number; windowMs: number };
}

export const ok = (body: unknown): RouteResult => ({ status: 200, body });
export const noContent = (): RouteResult => ({ status: 204 });

const API_PREFIX = "/api/v10";

interface Bucket {
  used: number;
  resetAt: number;
}

export class RestHandler {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: RestOptions) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://loopback");
    const method = (req.method ?? "GET").toUpperCase();
    const route = decodeRoute(url.pathname);
    const query = Object.fromEntries(url.searchParams);
    const headers = flattenHeaders(req);
    const { json, files } = await readBody(req, headers["content-type"]);
    const match = route === undefined ? undefined : this.match(method, route);
    const request: RouteRequest = {
      method: method as HttpMethod,
      route: route ?? url.pathname,
      params: match && match !== "method-not-allowed" ? match.params : {},
      query,
      body: asObject(json),
      rawBody: json,
      files,
      headers,
    };
    const stall = this.options.stalls?.(request);
    if (stall === "before") return;
    const rate = this.takeFromBucket(method, request, match);
    const result = rate.limited ? rateLimited(rate.retryAfter) : this.execute(match, request);
    if (stall !== "after") this.send(res, result, rate.headers);
    this.options.onRecorded({
      method,
      route: request.route,
      query,
      body: json,
      files,
      headers,
      status: result.status,
      response: result.body,
      matched: match !== undefined && match !== "method-not-allowed",
      at: Date.now(),
    });
  }

  private execute(match: Match | "method-not-allowed" | undefined, request: RouteRequest): RouteResult {
    try {
      if (match === undefined) throw discordErrors.notFound();
      if (match === "method-not-allowed") throw discordErrors.methodNotAllowed();
      if (match.route.auth && request.headers.authorization !== `Bot ${this.options.token}`) {
        throw discordErrors.unauthorized();
      }
      if (this.options.forbids(request)) throw discordErrors.missingPermissions();
      return match.route.handle(request);
    } catch (error) {
      if (error instanceof DiscordHttpError) return { status: error.status, body: error.body };
      // A harness bug, not a bot bug: surface it loudly instead of as a Discord error.
      console.error("loopback: route handler crashed", request.method, request.route, error);
      return { status: 500, body: { message: "500: Internal Server Error", code: 0 } };
    }
  }

  private match(method: string, route: string): Match | "method-not-allowed" | undefined {
    let pathMatched = false;
    for (const definition of this.options.routes) {
      const params = matchPath(definition.path, route);
      if (!params) continue;
      pathMatched = true;
      if (definition.method === method) return { route: definition, params };
    }
    return pathMatched ? "method-not-allowed" : undefined;
  }

  /**
   * Real Discord always answers with bucket headers; discord.js parses
   * limit/remaining/reset-after/bucket and would queue requests if remaining
   * hit 0, so the window is generous and counted honestly (a 429 past it).
   */
  private takeFromBucket(
    method: string,
    request: RouteRequest,
    match: Match | "method-not-allowed" | undefined,
  ): RateDecision {
    const template = match && match !== "method-not-allowed" ? match.route.path : request.route;
    const major = request.params.channelId ?? request.params.guildId ?? request.params.token ?? "";
    const key = `${method}:${template}:${major}`;
    const now = Date.now();
    const { limit, windowMs } = this.options.rateLimit;
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.resetAt <= now) {
      bucket = { used: 0, resetAt: now + windowMs };
      this.buckets.set(key, bucket);
    }
    bucket.used += 1;
    const resetAfter = (bucket.resetAt - now) / 1000;
    const limited = bucket.used > limit;
    const headers: Record<string, string> = {
      "x-ratelimit-limit": String(limit),
      "x-ratelimit-remaining": String(Math.max(0, limit - bucket.used)),
      "x-ratelimit-reset": (bucket.resetAt / 1000).toFixed(3),
      "x-ratelimit-reset-after": resetAfter.toFixed(3),
      "x-ratelimit-bucket": createHash("sha1").update(`${method}:${template}`).digest("hex").slice(0, 32),
      ...(limited ? { "retry-after": resetAfter.toFixed(3), "x-ratelimit-scope": "user" } : {}),
    };
    return { headers, limited, retryAfter: resetAfter };
  }

  private send(res: ServerResponse, result: RouteResult, headers: Record<string, string>): void {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.setHeader("via", "1.1 loopback");
    if (result.status === 204 || result.body === undefined) {
      res.writeHead(result.status === 200 ? 204 : result.status).end();
      return;
    }
    res.writeHead(result.status, { "content-type": "application/json" }).end(JSON.stringify(result.body));
  }
}

interface RateDecision {
  headers: Record<string, string>;
  limited: boolean;
  retryAfter: number;
}

function rateLimited(retryAfter: number): RouteResult {
  return { status: 429, body: { message: "You are being rate limited.", retry_after: retryAfter, global: false } };
}

interface Match {
  route: RouteDefinition;
  params: Record<string, string>;
}

function decodeRoute(pathname: string): string | undefined {
  if (!pathname.startsWith(`${API_PREFIX}/`)) return undefined;
  return pathname
    .slice(API_PREFIX.length)
    .split("/")
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join("/");
}

function matchPath(pattern: string, route: string): Record<string, string> | undefined {
  const patternParts = pattern.split("/");
  const routeParts = route.replace(/\/$/, "").split("/");
  if (patternParts.length !== routeParts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of patternParts.entries()) {
    const actual = routeParts[index] ?? "";
    if (part.startsWith(":")) params[part.slice(1)] = actual;
    else if (part !== actual) return undefined;
  }
  return params;
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

async function readBody(
  req: IncomingMessage,
  contentType: string | undefined,
): Promise<{ json: unknown; files: UploadedFile[] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  if (raw.length === 0) return { json: undefined, files: [] };
  if (contentType?.startsWith("multipart/form-data")) return readMultipart(raw, contentType);
  try {
    return { json: JSON.parse(raw.toString("utf8")), files: [] };
  } catch {
    return { json: raw.toString("utf8"), files: [] };
  }
}

/** discord.js sends files as multipart with the JSON in a `payload_json` field. */
async function readMultipart(raw: Buffer, contentType: string): Promise<{ json: unknown; files: UploadedFile[] }> {
  const form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
  const files: UploadedFile[] = [];
  let json: unknown;
  for (const [field, value] of form) {
    if (typeof value === "string") {
      if (field === "payload_json") json = JSON.parse(value);
      continue;
    }
    files.push({
      field,
      filename: value.name,
      contentType: value.type || "application/octet-stream",
      size: value.size,
    });
  }
  return { json, files };
}
