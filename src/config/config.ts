import { z } from "zod";

/** A setting is missing or wrong. Startup prints `message` on one line and exits; no stack trace. */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export interface Config {
  discordToken: string | undefined;
  applicationId: string | undefined;
  /** REST base without the version, e.g. https://discord.com/api. discord.js appends /v10. */
  discordApiBase: string;
  databaseUrl: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** When set, deploy-commands registers to this one server instead of globally. */
  devGuildId: string | undefined;
  /** Folder of canon lore files imported at startup. */
  loreDir: string;
  /** "production" logs JSON lines; anything else logs readable text when the output is a terminal. */
  nodeEnv: string;
  /** Use the privileged Server Members intent (member join/leave events, role resync over the member list). */
  membersIntent: boolean;
  /** The /healthz and /metrics endpoint: off unless a port is set (0 picks a free one). */
  opsPort: number | undefined;
  opsHost: string;
  /** Which gateway shards this process runs: all of an automatic count by default. */
  shards: { ids: number[]; count: number } | "auto";
  /** Most shards one process runs; with more, `npm start` runs one child process per group of shards. */
  shardsPerProcess: number;
  /**
   * How long a claimed timed job (council post, reminder, treaty close, resync) stays with the process that claimed
   * it without a sign of life; the holder renews it while it works, so this is how soon another process takes over
   * the jobs of one that died.
   */
  jobLeaseMs: number;
}

const snowflake = z.string().regex(/^\d{17,20}$/, "must be a Discord id (17 to 20 digits)");

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), schema.optional());

const schema = z.object({
  DISCORD_TOKEN: optional(
    z
      .string()
      .trim()
      .regex(/^[\w.-]{20,}$/, "does not look like a bot token (copy it from the Bot page of your application)"),
  ),
  DISCORD_APPLICATION_ID: optional(snowflake),
  DISCORD_API_BASE: optional(
    z
      .string()
      .trim()
      .url("must be a URL such as https://discord.com/api")
      .refine((url) => /^https?:\/\//.test(url), "must start with http:// or https://"),
  ),
  DATABASE_URL: optional(
    z
      .string()
      .trim()
      .refine(
        (url) => url.startsWith("file:") || /^postgres(ql)?:\/\//.test(url),
        "must be a SQLite file URL such as file:./var/khitomer.db, or postgresql://user:password@host:5432/database",
      ),
  ),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` })),
  DEV_GUILD_ID: optional(snowflake),
  LORE_DIR: optional(z.string().trim().min(1)),
  NODE_ENV: optional(z.string()),
  DISCORD_MEMBERS_INTENT: optional(z.enum(["true", "false"], { error: "must be true or false" })),
  OPS_PORT: optional(
    z.coerce
      .number({ error: "must be a port number" })
      .int("must be a whole number")
      .min(0, "must be 0 to 65535")
      .max(65535, "must be 0 to 65535"),
  ),
  OPS_HOST: optional(z.string().trim().min(1)),
  SHARD_COUNT: optional(
    z.coerce
      .number({ error: "must be a number" })
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .max(10_000, "must be at most 10000"),
  ),
  SHARD_IDS: optional(
    z
      .string()
      .trim()
      .regex(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, "must list shard ids or ranges, such as 0-3 or 0,2,4"),
  ),
  SHARDS_PER_PROCESS: optional(
    z.coerce
      .number({ error: "must be a number" })
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .max(10_000, "must be at most 10000"),
  ),
  JOB_LEASE_SECONDS: optional(
    z.coerce
      .number({ error: "must be a number of seconds" })
      .min(1, "must be at least 1")
      .max(3600, "must be at most 3600"),
  ),
});

/** Parses the environment once. Throws ConfigError naming the first bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const setting = String(issue?.path[0] ?? "configuration");
    throw new ConfigError(setting, `${setting} ${issue?.message ?? "is invalid"} (see .env.example)`);
  }
  const values = parsed.data;
  return {
    discordToken: values.DISCORD_TOKEN,
    applicationId: values.DISCORD_APPLICATION_ID,
    discordApiBase: normalizeApiBase(values.DISCORD_API_BASE ?? "https://discord.com/api"),
    databaseUrl: values.DATABASE_URL ?? "file:./var/khitomer.db",
    logLevel: values.LOG_LEVEL ?? "info",
    devGuildId: values.DEV_GUILD_ID,
    loreDir: values.LORE_DIR ?? "data",
    nodeEnv: values.NODE_ENV ?? "development",
    membersIntent: values.DISCORD_MEMBERS_INTENT !== "false",
    opsPort: values.OPS_PORT,
    opsHost: values.OPS_HOST ?? "127.0.0.1",
    shards: parseShards(values.SHARD_IDS, values.SHARD_COUNT),
    shardsPerProcess: values.SHARDS_PER_PROCESS ?? 8,
    jobLeaseMs: Math.round((values.JOB_LEASE_SECONDS ?? 60) * 1000),
  };
}

/**
 * SHARD_COUNT alone: every shard of that count in this process. SHARD_IDS with SHARD_COUNT: a slice of them, so
 * several processes or machines share one bot. Neither: the count Discord recommends, all in this process.
 */
function parseShards(ids: string | undefined, count: number | undefined): Config["shards"] {
  if (ids === undefined)
    return count === undefined ? "auto" : { ids: Array.from({ length: count }, (_, i) => i), count };
  if (count === undefined)
    throw new ConfigError(
      "SHARD_IDS",
      "SHARD_IDS needs SHARD_COUNT: the total number of shards across all processes (see .env.example)",
    );
  const list = ids.split(",").flatMap((part) => {
    const [from, to = from] = part.split("-").map(Number) as [number, number?];
    return Array.from({ length: (to as number) - from + 1 }, (_, i) => from + i);
  });
  const wrong = list.find((id) => id >= count);
  if (wrong !== undefined || list.length === 0)
    throw new ConfigError(
      "SHARD_IDS",
      `SHARD_IDS lists shard ${wrong}, but SHARD_COUNT is ${count} (ids run from 0 to ${count - 1})`,
    );
  return { ids: [...new Set(list)].sort((a, b) => a - b), count };
}

/** Accepts the base with or without the version suffix, since both appear in docs and proxies. */
function normalizeApiBase(url: string): string {
  return url.replace(/\/+$/, "").replace(/\/v\d+$/, "");
}

/** The token is only needed to talk to Discord; the local console and the tests run without it. */
export function requireToken(config: Config): string {
  if (!config.discordToken) {
    throw new ConfigError(
      "DISCORD_TOKEN",
      "DISCORD_TOKEN is not set: put your bot token in .env (see README, 'Run it for real'), or try the bot without Discord with `npm run console`",
    );
  }
  return config.discordToken;
}
