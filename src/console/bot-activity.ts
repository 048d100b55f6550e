import type { APIMessage } from "discord.js";
import type { RecordedRequest } from "../../test/loopback/server.js";

// Everything the bot does to Discord arrives at the loopback server as a REST call. This turns each recorded call
// into what a member would notice: a reply, an edit, a follow-up, a channel message, a role change, an error.

export type JsonObject = Record<string, unknown>;

export type BotActivity =
  | { kind: "callback"; interactionId: string; type: number; data: JsonObject | undefined }
  | { kind: "follow-up"; token: string; message: APIMessage }
  | { kind: "edit"; token: string; messageId: string; message: APIMessage }
  | { kind: "delete"; token: string; messageId: string }
  | { kind: "channel-message"; channelId: string; message: APIMessage; edited: boolean }
  | { kind: "channel-delete"; channelId: string; messageId: string }
  | { kind: "role"; guildId: string; userId: string; roleId: string; added: boolean }
  /** The bot opened (or reopened) a direct-message channel with a member. */
  | { kind: "dm-open"; channelId: string; userId: string }
  | { kind: "other"; method: string; route: string }
  | { kind: "failed"; method: string; route: string; status: number; reason: string };

const ROUTES: [RegExp, (match: string[], request: RecordedRequest) => BotActivity | undefined][] = [
  [
    /^POST \/interactions\/(\d+)\/[^/]+\/callback$/,
    ([, interactionId = ""], request) => ({
      kind: "callback",
      interactionId,
      type: typeof body(request).type === "number" ? (body(request).type as number) : -1,
      data: isObject(body(request).data) ? (body(request).data as JsonObject) : undefined,
    }),
  ],
  [
    /^POST \/webhooks\/\d+\/([^/]+)$/,
    ([, token = ""], request) => withMessage(request, (message) => ({ kind: "follow-up", token, message })),
  ],
  [
    /^PATCH \/webhooks\/\d+\/([^/]+)\/messages\/([^/]+)$/,
    ([, token = "", messageId = ""], request) =>
      withMessage(request, (message) => ({ kind: "edit", token, messageId, message })),
  ],
  [
    /^DELETE \/webhooks\/\d+\/([^/]+)\/messages\/([^/]+)$/,
    ([, token = "", messageId = ""]) => ({ kind: "delete", token, messageId }),
  ],
  [
    /^(POST|PATCH) \/channels\/(\d+)\/messages(?:\/\d+)?$/,
    ([, method, channelId = ""], request) =>
      withMessage(request, (message) => ({ kind: "channel-message", channelId, message, edited: method === "PATCH" })),
  ],
  [
    /^DELETE \/channels\/(\d+)\/messages\/(\d+)$/,
    ([, channelId = "", messageId = ""]) => ({ kind: "channel-delete", channelId, messageId }),
  ],
  [
    /^POST \/users\/@me\/channels$/,
    (_match, request) => {
      const channel = isObject(request.response) ? request.response : {};
      const recipient =
        Array.isArray(channel.recipients) && isObject(channel.recipients[0]) ? channel.recipients[0] : {};
      return typeof channel.id === "string" && typeof recipient.id === "string"
        ? { kind: "dm-open", channelId: channel.id, userId: recipient.id }
        : undefined;
    },
  ],
  [
    /^(PUT|DELETE) \/guilds\/(\d+)\/members\/(\d+)\/roles\/(\d+)$/,
    ([, method, guildId = "", userId = "", roleId = ""]) => ({
      kind: "role",
      guildId,
      userId,
      roleId,
      added: method === "PUT",
    }),
  ],
];

/** What one REST call means to a member; undefined for reads and the typing indicator, which show nothing. */
export function describeRequest(request: RecordedRequest): BotActivity | undefined {
  if (request.method === "GET" || /\/typing$/.test(request.route)) return undefined;
  const route = redactTokens(request.route);
  if (request.status >= 400)
    return {
      kind: "failed",
      method: request.method,
      route,
      status: request.status,
      reason: errorText(request.response),
    };
  const line = `${request.method} ${request.route}`;
  for (const [pattern, build] of ROUTES) {
    const match = pattern.exec(line);
    if (match) return build([...match], request);
  }
  return { kind: "other", method: request.method, route };
}

/** Interaction tokens let anyone answer as the bot; they have no place on screen. */
export function redactTokens(route: string): string {
  return route.replace(/^(\/interactions\/\d+\/)[^/]+/, "$1…").replace(/^(\/webhooks\/\d+\/)[^/]+/, "$1…");
}

/** Discord's error body as one line: `50035 Invalid Form Body (embeds.0.title: Must be 256 or fewer in length.)`. */
export function errorText(response: unknown): string {
  if (!isObject(response)) return "no error body";
  const details: string[] = [];
  const walk = (value: unknown, path: string[]) => {
    if (!isObject(value)) return;
    if (Array.isArray(value._errors))
      for (const error of value._errors)
        if (isObject(error)) details.push(`${path.join(".")}: ${String(error.message ?? error.code)}`);
    for (const [key, child] of Object.entries(value)) if (key !== "_errors") walk(child, [...path, key]);
  };
  walk(response.errors, []);
  const head = [response.code, response.message].filter((part) => part !== undefined).join(" ");
  return details.length ? `${head} (${details.join("; ")})` : head;
}

function withMessage(request: RecordedRequest, build: (message: APIMessage) => BotActivity): BotActivity | undefined {
  // JSON boundary: the loopback server answers these routes with the stored message object; without one (a
  // follow-up sent without ?wait=true) what the bot sent is all there is to show.
  const source = isObject(request.response) ? request.response : isObject(request.body) ? request.body : undefined;
  return source ? build(source as unknown as APIMessage) : undefined;
}

function body(request: RecordedRequest): JsonObject {
  return isObject(request.body) ? request.body : {};
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
