import "./v8-flags.js";
import "dotenv/config";
import { fileURLToPath } from "node:url";
import { startBot } from "./app.js";
import { type Config, ConfigError, loadConfig, requireToken } from "./config/config.js";
import { MigrationError } from "./db/migrate.js";
import { isShardGroup, SHARD_GROUP_ENV, tellLauncher } from "./launcher/launcher-channel.js";
import { ShardLauncher } from "./launcher/shard-launcher.js";
import { resolveShards } from "./launcher/shard-plan.js";
import { createLogger, type Logger } from "./logging/logger.js";

// Production entry (npm start). Fails fast on configuration with one line naming the setting, no stack trace.
// With more shards than SHARDS_PER_PROCESS it becomes a launcher instead: one child process (this same script)
// per group of shards. Those children run their group here and never launch others.
const inShardGroup = isShardGroup(process.env);

interface Running {
  stop(signal: NodeJS.Signals): Promise<void>;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const token = requireToken(config);
  const root = createLogger({
    level: config.logLevel,
    pretty: config.nodeEnv !== "production" && process.stdout.isTTY === true,
    secrets: [token],
  });
  // The groups share the launcher's output, so each line says which group wrote it.
  const log = inShardGroup ? root.child({ group: Number(process.env[SHARD_GROUP_ENV]) }) : root;
  process.on("unhandledRejection", (reason) => log.error({ err: reason }, "unhandled rejection"));
  // Signals are handled from the first moment: a stop asked for during startup waits for the start, then stops.
  let starting: Promise<Running> | undefined;
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const running = starting ?? Promise.reject(new Error("not started"));
    running
      .then((it) => it.stop(signal))
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  // A shard group may be sent a signal twice (by its launcher and by a process manager stopping the whole
  // control group); it stops once. Elsewhere a second Ctrl-C ends the process at once, as Node does by default.
  const listen = inShardGroup ? process.on.bind(process) : process.once.bind(process);
  listen("SIGINT", () => shutdown("SIGINT"));
  listen("SIGTERM", () => shutdown("SIGTERM"));
  // The launcher is gone (killed, crashed): stop, or its replacement would run these shards a second time.
  if (inShardGroup && process.connected) {
    process.on("disconnect", () => {
      log.warn("the shard launcher is gone");
      shutdown("SIGTERM");
    });
  }
  starting = start(config, log, token);
  const running = await starting;
  if (running instanceof ShardLauncher) {
    void running.failed.then((message) => {
      process.stderr.write(`khitomer: ${message}\n`);
      process.exit(1);
    });
  }
}

async function start(config: Config, log: Logger, token: string): Promise<Running> {
  const shards = await resolveShards(config, token);
  if (!inShardGroup && shards.ids.length > config.shardsPerProcess) {
    const launcher = new ShardLauncher({
      script: fileURLToPath(import.meta.url),
      execArgv: process.execArgv,
      env: process.env,
      shards,
      perProcess: config.shardsPerProcess,
      opsPort: config.opsPort,
      log,
    });
    void launcher.start();
    return launcher;
  }
  const bot = await startBot({ config: { ...config, shards }, log, token });
  if (inShardGroup) await tellLauncher({ kind: "ready", shards: [...bot.client.ws.shards.keys()] });
  return bot;
}

/** The one line a failed start prints, and whether starting again could help. */
function startupFailure(error: unknown): { message: string; permanent: boolean } {
  if (error instanceof ConfigError || error instanceof MigrationError)
    return { message: error.message, permanent: true };
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "DisallowedIntents") {
    return {
      message:
        "Discord refused the Server Members intent: enable it on your application's Bot page (Privileged Gateway Intents), or set DISCORD_MEMBERS_INTENT=false",
      permanent: true,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: `could not start: ${message.split("\n")[0]}`, permanent: code === "TokenInvalid" };
}

main().catch(async (error: unknown) => {
  const { message, permanent } = startupFailure(error);
  // A shard group leaves a lasting problem to its launcher, which stops the bot and prints it once, rather than
  // restarting the group over it. Anything else the group prints, and the launcher restarts it.
  const told = inShardGroup && permanent && (await tellLauncher({ kind: "fatal", message }));
  if (!told) process.stderr.write(`khitomer: ${message}\n`);
  process.exit(1);
});
