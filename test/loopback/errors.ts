/**
 * Error responses in Discord's wire format, so discord.js raises the same
 * DiscordAPIError (code, status, message) that production code will see.
 */
export interface DiscordErrorBody {
  message: string;
  code: number;
  errors?: Record<string, unknown>;
}

export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: DiscordErrorBody,
  ) {
    super(body.message);
  }
}

function error(status: number, code: number, message: string): DiscordHttpError {
  return new DiscordHttpError(status, { message, code });
}

export const discordErrors = {
  unauthorized: () => error(401, 0, "401: Unauthorized"),
  notFound: () => error(404, 0, "404: Not Found"),
  methodNotAllowed: () => error(405, 0, "405: Method Not Allowed"),
  unknownApplication: () => error(404, 10002, "Unknown Application"),
  unknownChannel: () => error(404, 10003, "Unknown Channel"),
  unknownGuild: () => error(404, 10004, "Unknown Guild"),
  unknownMember: () => error(404, 10007, "Unknown Member"),
  unknownMessage: () => error(404, 10008, "Unknown Message"),
  unknownRole: () => error(404, 10011, "Unknown Role"),
  unknownUser: () => error(404, 10013, "Unknown User"),
  unknownWebhook: () => error(404, 10015, "Unknown Webhook"),
  unknownInteraction: () => error(404, 10062, "Unknown interaction"),
  unknownCommand: () => error(404, 10063, "Unknown application command"),
  unknownScheduledEvent: () => error(404, 10070, "Unknown Guild Scheduled Event"),
  missingAccess: () => error(403, 50001, "Missing Access"),
  cannotExecuteOnDm: () => error(403, 50003, "Cannot execute action on a DM channel"),
  cannotSendEmptyMessage: () => error(400, 50006, "Cannot send an empty message"),
  /** DMs closed, no mutual guild, or a bot recipient: 403 on send; Discord answers 400 when opening a DM with yourself. */
  cannotSendToUser: (status: 400 | 403 = 403) => error(status, 50007, "Cannot send messages to this user"),
  cannotSendInNonText: () => error(400, 50008, "Cannot send messages in a non-text channel"),
  missingPermissions: () => error(403, 50013, "Missing Permissions"),
  alreadyAcknowledged: () => error(400, 40060, "Interaction has already been acknowledged."),
  /** Mirrors Discord's nested `errors` object: { field: { _errors: [{ code, message }] } }. */
  invalidFormBody: (field: string, code: string, message: string): DiscordHttpError => {
    const errors: Record<string, unknown> = {};
    let cursor = errors;
    const parts = field.split(".");
    parts.forEach((part, index) => {
      const next: Record<string, unknown> = index === parts.length - 1 ? { _errors: [{ code, message }] } : {};
      cursor[part] = next;
      cursor = next;
    });
    return new DiscordHttpError(400, { message: "Invalid Form Body", code: 50035, errors });
  },
};
