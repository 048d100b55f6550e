import "dotenv/config";
import { startBot } from "./app.js";
import { ConfigError, loadConfig, requireToken } from "./config/config.js";
import { MigrationError } from "./db/migrate.js";
import { createLogger } from "./logging/logger.js";

// Production entry (npm start). Fails fast on configuration with one line naming the setting, no stack trace.
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const token = requireToken(config);
  const log = createLogger({
    level: config.logLevel,
    pretty: config.nodeEnv !== "production" && process.stdout.isTTY === true,
    secrets: [token],
  });
  process.on("unhandledRejection", (reason) => log.error({ err: reason }, "unhandled rejection"));
  // Signals are handled from the first moment: a stop asked for during startup waits for the start, then stops.
  let starting: ReturnType<typeof startBot> | undefined;
  const shutdown = (signal: string) => {
    log.info({ signal }, "shutting down");
    const bot = starting ?? Promise.reject(new Error("not started"));
    bot
      .then((running) => running.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  starting = startBot({ config, log, token });
  await starting;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof MigrationError) {
    process.stderr.write(`khitomer: ${error.message}\n`);
    process.exit(1);
  }
  if ((error as { code?: unknown } | null)?.code === "DisallowedIntents") {
    process.stderr.write(
      "khitomer: Discord refused the Server Members intent: enable it on your application's Bot page (Privileged Gateway Intents), or set DISCORD_MEMBERS_INTENT=false\n",
    );
    process.exit(1);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`khitomer: could not start: ${message.split("\n")[0]}\n`);
  process.exit(1);
});
