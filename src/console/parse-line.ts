// What a console line asks for. Slash commands go to the bot; everything else is the console's own verbs.

export type ConsoleCommand =
  | { kind: "empty" }
  | { kind: "slash"; text: string }
  | { kind: "click"; number: number }
  | { kind: "pick"; number: number; picks: string[] }
  | { kind: "use"; number: number }
  | { kind: "as"; who: string }
  | { kind: "server"; which: string }
  | { kind: "channel"; which: string }
  | { kind: "show"; which: string }
  | { kind: "members" }
  | { kind: "servers" }
  | { kind: "channels" }
  | { kind: "messages" }
  | { kind: "help" }
  | { kind: "quit" }
  | { kind: "error"; message: string };

const WORDS = "help, members, servers, channels, messages, as, server, channel, click, pick, use, show, quit";

export function parseLine(line: string): ConsoleCommand {
  const text = line.trim();
  // `#` starts a comment, so scripted sessions (printf … | npm run console) can explain themselves.
  if (text === "" || text.startsWith("#")) return { kind: "empty" };
  if (text.startsWith("/")) return { kind: "slash", text };
  const [verb = "", ...rest] = text.split(/\s+/);
  const argument = text.slice(verb.length).trim();
  switch (verb.toLowerCase()) {
    case "click":
    case "press":
      return numbered(rest[0], "click", (number) => ({ kind: "click", number }));
    case "pick":
    case "select":
      if (rest.length < 2) return { kind: "error", message: "Usage: pick N a (or pick N 1; several: pick N a c)" };
      return numbered(rest[0], "pick", (number) => ({
        kind: "pick",
        number,
        picks: rest
          .slice(1)
          .flatMap((p) => p.split(","))
          .filter(Boolean),
      }));
    case "use":
      return numbered(rest[0], "use", (number) => ({ kind: "use", number }));
    case "as":
      return argument ? { kind: "as", who: stripSigil(argument, "@") } : { kind: "members" };
    case "server":
      return argument ? { kind: "server", which: argument } : { kind: "servers" };
    case "channel":
      return argument ? { kind: "channel", which: stripSigil(argument, "#") } : { kind: "channels" };
    case "show":
      return argument ? { kind: "show", which: argument } : { kind: "messages" };
    case "members":
    case "who":
      return { kind: "members" };
    case "servers":
      return { kind: "servers" };
    case "channels":
      return { kind: "channels" };
    case "messages":
      return { kind: "messages" };
    case "help":
    case "?":
      return { kind: "help" };
    case "quit":
    case "exit":
      return { kind: "quit" };
    default:
      return {
        kind: "error",
        message: `Unknown console command "${verb}". Slash commands start with "/" (try /help); console commands: ${WORDS}.`,
      };
  }
}

function numbered(word: string | undefined, verb: string, build: (number: number) => ConsoleCommand): ConsoleCommand {
  const number = Number(word?.replace(/^\[|\]$/g, ""));
  if (!word || !Number.isInteger(number) || number < 1)
    return { kind: "error", message: `Usage: ${verb} N, where N is a number shown in [brackets].` };
  return build(number);
}

function stripSigil(text: string, sigil: string): string {
  return text.startsWith(sigil) ? text.slice(1) : text;
}
