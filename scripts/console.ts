import { ConfigError } from "../src/config/config.js";
import { Completions } from "../src/console/completions.js";
import { LineInput } from "../src/console/line-input.js";
import { CONSOLE_HELP, parseConsoleArgs } from "../src/console/options.js";
import { startConsoleRuntime } from "../src/console/runtime.js";
import { ConsoleSession } from "../src/console/session.js";

// `npm run console`: the real bot behind a prompt. The loopback Discord server from test/loopback stands in for
// Discord, so what is printed here is what Discord would have been sent.

async function main(): Promise<number> {
  const parsed = parseConsoleArgs(process.argv.slice(2));
  if (!parsed.ok) {
    console.error(`console: ${parsed.message} (see npm run console -- --help)`);
    return 2;
  }
  const options = parsed.options;
  if (options.help) {
    console.log(CONSOLE_HELP);
    return 0;
  }
  const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true && !options.exec;
  const width = options.width ?? (process.stdout.isTTY ? Math.min(100, Math.max(60, process.stdout.columns - 1)) : 78);

  const runtime = await startConsoleRuntime({
    databaseUrl: options.databaseUrl,
    logFile: options.logFile,
    verbose: options.verbose,
    env: process.env,
  });
  let interrupted = false;
  let completions: Completions | undefined;
  const input = new LineInput({
    input: process.stdin,
    output: process.stdout,
    terminal,
    completer: (line) => completions?.complete(line) ?? Promise.resolve([[], line]),
    onInterrupt: () => {
      interrupted = true;
      input.close();
    },
  });
  const session = new ConsoleSession({
    discord: runtime.discord,
    directory: runtime.directory,
    io: { print: (lines) => input.print(lines), ask: (question) => input.next(question) },
    width,
    botName: runtime.discord.botUser.username,
  });
  completions = new Completions(session, runtime.discord, runtime.directory);
  const stopOnSignal = () => {
    interrupted = true;
    input.close();
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  // `npm run console | head` closes the pipe early: stop as if input had ended, instead of dying mid-write.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    stopOnSignal();
  });

  try {
    if (!options.exec) input.print(session.banner());
    session.startWatching();
    if (options.exec) {
      for (const line of options.exec) {
        input.print(`${session.prompt()}${line}`);
        if ((await session.run(line)) === "quit" || interrupted) break;
      }
    } else {
      for (;;) {
        const line = await input.next(session.prompt());
        if (line === undefined) {
          // Ctrl-D leaves the cursor after the prompt.
          if (terminal) process.stdout.write("\n");
          break;
        }
        if ((await session.run(line)) === "quit" || interrupted) break;
      }
    }
  } finally {
    session.stopWatching();
    input.close();
    await runtime.stop();
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
    // discord.js and the loopback server are closed; anything still holding the event loop is not worth waiting for.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    console.error(`console: ${message}`);
    process.exit(1);
  },
);
