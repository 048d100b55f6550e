import { parseArgs } from "node:util";

export const CONSOLE_HELP = `Usage: npm run console -- [options]

Starts Khitomer with its real handlers and database on a local stand-in for Discord (the loopback server from
test/loopback) and gives you a prompt to use it as members of two servers would. No token needed; nothing leaves
this machine.

Options:
  --database <url>   SQLite database (default file:./var/console.db). DATABASE_URL from the environment is
                     ignored, so playing here never touches a deployment's data.
  --exec <line>      run this console line, then exit; repeat for several (stdin is then only read by forms)
  --log-file <path>  where the bot's log goes (default var/console.log, JSON lines)
  --verbose          print the bot's log, readable, to stderr instead of the log file
  --width <columns>  wrap and frame output to this width (default: the terminal's, at most 100; 78 in a pipe)
  -h, --help         show this text

At the prompt:
  /faction info kdf                 a slash command; free text fills the first (required) text option
  /lore show entry:"Qo'noS"         name options explicitly, quoting values with spaces
  /faction info kl?                 a trailing ? asks the bot for autocomplete suggestions; use N runs one
  /faction ?                        what a command offers
  click N, pick N a [b …]           press button [N], choose option(s) in menu [N]
  messages, show mN                 messages with buttons or menus so far; put one back on screen
  members, as <name>                members with roles and permissions; act as one of them
  servers, server <name or number>  switch server;  channels, channel <name>  switch channel
  help, quit (or exit, Ctrl-D)      Tab completes commands, options and (asking the bot) option values

Scripted: printf '/faction info kdf\\n' | npm run console   (prints the replies, exits at the end of input)
Settings read from the environment: LORE_DIR, LOG_LEVEL (default debug), NODE_ENV.`;

export interface ConsoleOptions {
  help: boolean;
  databaseUrl: string;
  exec: string[] | undefined;
  logFile: string;
  verbose: boolean;
  width: number | undefined;
}

export type ParsedOptions = { ok: true; options: ConsoleOptions } | { ok: false; message: string };

export function parseConsoleArgs(argv: readonly string[]): ParsedOptions {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        database: { type: "string" },
        exec: { type: "string", multiple: true },
        "log-file": { type: "string" },
        verbose: { type: "boolean" },
        width: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
    });
    const width = values.width === undefined ? undefined : Number(values.width);
    if (width !== undefined && (!Number.isInteger(width) || width < 40 || width > 300))
      return { ok: false, message: "--width must be a whole number of columns between 40 and 300" };
    const databaseUrl = values.database ?? "file:./var/console.db";
    if (!databaseUrl.startsWith("file:"))
      return { ok: false, message: "--database must be a SQLite file URL such as file:./var/console.db" };
    return {
      ok: true,
      options: {
        help: values.help ?? false,
        databaseUrl,
        exec: values.exec,
        logFile: values["log-file"] ?? "var/console.log",
        verbose: values.verbose ?? false,
        width,
      },
    };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
