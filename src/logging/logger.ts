import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger } from "pino";

export interface LoggerOptions {
  level: string;
  /** Readable text instead of JSON lines (a developer's terminal). */
  pretty: boolean;
  /** Where lines go; stdout when omitted. Tests pass an in-memory stream. */
  destination?: DestinationStream;
  /** Literal values that must never reach a log line (the bot token, database passwords). */
  secrets?: readonly (string | undefined)[];
}

// Interaction and webhook tokens sit inside REST URLs that discord.js puts in its error messages; each one lets
// anybody answer as the bot for 15 minutes, so they are cut from every line, wherever they appear.
const TOKEN_IN_URL = /\/(interactions\/\d+|webhooks\/\d+)\/[A-Za-z0-9_.-]{20,}/g;
// A bot token's shape (base64 id . timestamp . hmac), in case one appears that we were not told about.
const BOT_TOKEN_SHAPE = /\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}\b/g;

export function scrubSecrets(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const secret of secrets) out = out.split(secret).join("[redacted]");
  return out.replace(TOKEN_IN_URL, "/$1/[redacted]").replace(BOT_TOKEN_SHAPE, "[redacted]");
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === "string" && s.length >= 8);
  const destination =
    options.destination ??
    (options.pretty
      ? pretty({ colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" })
      : pino.destination(1));
  return pino(
    {
      level: options.level,
      base: undefined,
      redact: {
        paths: ["token", "*.token", "headers.authorization", "*.headers.authorization", "config.discordToken"],
        censor: "[redacted]",
      },
      hooks: {
        // Last stop before the line is written: catches secrets inside messages and error stacks too.
        streamWrite: (line) => scrubSecrets(line, secrets),
      },
    },
    destination,
  );
}
