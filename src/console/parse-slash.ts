import { ApplicationCommandOptionType } from "discord.js";
import { tokenize, type Word } from "./tokenize.js";

// Turns `/faction info kdf` into what the Discord client would send, using the registered definitions: typed
// option values, choices checked, lengths and ranges enforced, and required options present. Anything the client
// would refuse is refused here with a message listing what exists.

/** An option as registered (the JSON deploy-commands sends); only what the console needs. */
export interface OptionShape {
  name: string;
  description: string;
  type: ApplicationCommandOptionType;
  required?: boolean;
  autocomplete?: boolean;
  choices?: readonly { name: string; value: string | number }[];
  options?: readonly OptionShape[];
  min_length?: number;
  max_length?: number;
  min_value?: number;
  max_value?: number;
}

export interface CommandShape {
  name: string;
  description: string;
  options?: readonly OptionShape[];
}

export type OptionValue = string | number | boolean;

/** Finds members, roles and channels by name for user, role and channel options; returns an id. */
export interface EntityLookup {
  user(text: string): string | undefined;
  role(text: string): string | undefined;
  channel(text: string): string | undefined;
  /** Shown when a name is not found: "alice, bob, carol". */
  names(kind: "user" | "role" | "channel"): string[];
}

export interface SlashInvocation {
  command: CommandShape;
  subcommandGroup?: string;
  subcommand?: string;
  leaf: readonly OptionShape[];
  options: Record<string, OptionValue>;
  /** Set for a line ending in `?`: the option being typed into and what was typed so far. */
  focus?: { option: OptionShape; value: string };
}

export type SlashParse =
  | { kind: "invoke"; invocation: SlashInvocation }
  /** `/faction ?`: what the command offers, without asking the bot. */
  | { kind: "outline"; lines: string[] }
  | { kind: "error"; message: string };

const SUBCOMMAND = ApplicationCommandOptionType.Subcommand;
const GROUP = ApplicationCommandOptionType.SubcommandGroup;

export function parseSlash(line: string, commands: readonly CommandShape[], lookup: EntityLookup): SlashParse {
  const tokenized = tokenize(line.trim().replace(/^\//, ""));
  if (!tokenized.ok) return { kind: "error", message: tokenized.message };
  const words = [...tokenized.words];
  const asking = takeQuestionMark(words);
  const nameWord = words.shift();
  const list = commands.map((c) => `/${c.name}`).join(", ");
  if (!nameWord || nameWord.key !== undefined)
    return { kind: "error", message: `Type a command after the slash. Commands: ${list}` };
  const command = commands.find((c) => c.name === nameWord.value.toLowerCase());
  if (!command) return { kind: "error", message: `There is no /${nameWord.value}. Commands: ${list}` };

  let level = command.options ?? [];
  const path: string[] = [];
  let subcommandGroup: string | undefined;
  let subcommand: string | undefined;
  while (level.some((o) => o.type === SUBCOMMAND || o.type === GROUP)) {
    const where = `/${[command.name, ...path].join(" ")}`;
    const next = words[0];
    const choice = next && next.key === undefined ? level.find((o) => o.name === next.value.toLowerCase()) : undefined;
    if (!choice) {
      if (asking !== "none" && !next) return { kind: "outline", lines: outline(where, level) };
      const names = level.map((o) => o.name).join(", ");
      return {
        kind: "error",
        message: next
          ? `${where} has no "${next.key !== undefined ? `${next.key}:` : next.value}". Choose one of: ${names}`
          : `${where} needs one of: ${names}`,
      };
    }
    words.shift();
    path.push(choice.name);
    if (choice.type === GROUP) subcommandGroup = choice.name;
    else subcommand = choice.name;
    level = choice.options ?? [];
  }
  const where = `/${[command.name, ...path].join(" ")}`;
  return parseOptions(where, words, asking, level, lookup, {
    command,
    ...(subcommandGroup ? { subcommandGroup } : {}),
    ...(subcommand ? { subcommand } : {}),
  });
}

/** A trailing unquoted `?` asks for suggestions; it is removed from the words. */
function takeQuestionMark(words: Word[]): "none" | "attached" | "alone" {
  const last = words[words.length - 1];
  if (!last || last.endsQuoted || !last.value.endsWith("?")) return "none";
  if (last.value === "?" && last.key === undefined && !last.quoted) {
    words.pop();
    return "alone";
  }
  last.value = last.value.slice(0, -1);
  return "attached";
}

function parseOptions(
  where: string,
  words: Word[],
  asking: "none" | "attached" | "alone",
  leaf: readonly OptionShape[],
  lookup: EntityLookup,
  target: Pick<SlashInvocation, "command" | "subcommandGroup" | "subcommand">,
): SlashParse {
  const raw = new Map<string, string>();
  const free: string[] = [];
  for (const word of words) {
    if (word.key === undefined) {
      free.push(word.value);
      continue;
    }
    const option = leaf.find((o) => o.name === word.key);
    if (!option)
      return {
        kind: "error",
        message: `${where} has no option "${word.key}". ${optionList(leaf)} (To type text with a colon, quote it: "a:b".)`,
      };
    if (raw.has(option.name)) return { kind: "error", message: `${option.name}: is given twice.` };
    raw.set(option.name, word.value);
  }
  const lastWord = words[words.length - 1];
  const focusName = asking === "attached" && lastWord?.key !== undefined ? lastWord.key : undefined;
  // Free text fills the first required text option not named, so `/faction info kdf` reads as Discord's name:kdf;
  // a command without one takes it in its first text option (`/faction roster kdf`).
  const open = leaf.filter((o) => o.type === ApplicationCommandOptionType.String && !raw.has(o.name));
  const slot = open.find((o) => o.required) ?? open[0];
  if (free.length > 0 || (asking !== "none" && focusName === undefined)) {
    if (!slot) {
      if (free.length === 0) return { kind: "error", message: `Nothing to suggest here. ${optionList(leaf)}` };
      return { kind: "error", message: `${where} does not take free text ("${free.join(" ")}"). ${optionList(leaf)}` };
    }
    raw.set(slot.name, free.join(" "));
  }

  const focused = asking === "none" ? undefined : leaf.find((o) => o.name === (focusName ?? slot?.name));
  const options: Record<string, OptionValue> = {};
  for (const [name, text] of raw) {
    const option = leaf.find((o) => o.name === name);
    if (!option || option === focused) continue;
    const converted = convert(option, text, lookup);
    if (typeof converted === "object") return { kind: "error", message: converted.problem };
    options[name] = converted;
  }
  if (focused) {
    if (!focused.autocomplete && !focused.choices?.length)
      return { kind: "error", message: `${focused.name}: has no suggestions (${focused.description}).` };
    return {
      kind: "invoke",
      invocation: { ...target, leaf, options, focus: { option: focused, value: raw.get(focused.name) ?? "" } },
    };
  }
  const missing = leaf.filter((o) => o.required && !(o.name in options));
  if (missing.length)
    return {
      kind: "error",
      message: `${where} needs ${missing.map((o) => `${o.name}: (${o.description})`).join(", ")}. Example: ${where} ${missing.map((o) => `${o.name}:…`).join(" ")}`,
    };
  return { kind: "invoke", invocation: { ...target, leaf, options } };
}

/** Converts typed text to the option's type, checking what the Discord client checks before sending. */
export function convert(option: OptionShape, text: string, lookup: EntityLookup): OptionValue | { problem: string } {
  const label = `${option.name}:`;
  if (option.choices?.length) {
    const lower = text.toLowerCase();
    const choice = option.choices.find(
      (c) => String(c.value).toLowerCase() === lower || c.name.toLowerCase() === lower,
    );
    if (!choice)
      return {
        problem: `${label} "${text}" is not a choice. Choose one of: ${option.choices.map((c) => `${c.value} (${c.name})`).join(", ")}`,
      };
    return choice.value;
  }
  switch (option.type) {
    case ApplicationCommandOptionType.String:
      if (option.min_length !== undefined && text.length < option.min_length)
        return { problem: `${label} needs at least ${option.min_length} characters.` };
      if (option.max_length !== undefined && text.length > option.max_length)
        return { problem: `${label} takes at most ${option.max_length} characters (you typed ${text.length}).` };
      return text;
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number: {
      const integer = option.type === ApplicationCommandOptionType.Integer;
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
        return { problem: `${label} expects ${integer ? "a whole number" : "a number"}, not "${text}".` };
      if (option.min_value !== undefined && value < option.min_value)
        return { problem: `${label} is at least ${option.min_value}.` };
      if (option.max_value !== undefined && value > option.max_value)
        return { problem: `${label} is at most ${option.max_value}.` };
      return value;
    }
    case ApplicationCommandOptionType.Boolean: {
      const lower = text.toLowerCase();
      if (["true", "yes", "y", "on"].includes(lower)) return true;
      if (["false", "no", "n", "off"].includes(lower)) return false;
      return { problem: `${label} is true or false, not "${text}".` };
    }
    case ApplicationCommandOptionType.User:
      return entity(lookup, "user", text, label);
    case ApplicationCommandOptionType.Role:
      return entity(lookup, "role", text, label);
    case ApplicationCommandOptionType.Channel:
      return entity(lookup, "channel", text, label);
    case ApplicationCommandOptionType.Mentionable: {
      const id = lookup.user(text) ?? lookup.role(text);
      if (id) return id;
      return {
        problem: `${label} no member or role "${text}". Members: ${lookup.names("user").join(", ")}; roles: ${lookup.names("role").join(", ")}`,
      };
    }
    default:
      return { problem: `${label} options of this kind (files) cannot be given from the console.` };
  }
}

function entity(lookup: EntityLookup, kind: "user" | "role" | "channel", text: string, label: string) {
  const id = lookup[kind](text);
  if (id) return id;
  const noun = kind === "user" ? "member" : kind;
  return { problem: `${label} no ${noun} "${text}" here. Try one of: ${lookup.names(kind).join(", ")}` };
}

function optionList(leaf: readonly OptionShape[]): string {
  if (leaf.length === 0) return "It takes no options.";
  return `Options: ${leaf.map((o) => `${o.name}:${o.required ? "" : " (optional)"}`).join(", ")}`;
}

/** `/faction ?`: subcommands and their options, from the same definitions Discord shows. */
function outline(where: string, level: readonly OptionShape[]): string[] {
  return level.flatMap((option) => {
    const path = `${where} ${option.name}`;
    if (option.type === GROUP) return outline(path, option.options ?? []);
    const usage = (option.options ?? []).map((o) => (o.required ? ` ${o.name}:` : ` [${o.name}:]`)).join("");
    return [`${path}${usage} — ${option.description}`];
  });
}

/** One line per command, subcommand or group member, for the console's `help`. */
export function commandUsage(commands: readonly CommandShape[]): string[] {
  return commands.flatMap((command) => {
    const options = command.options ?? [];
    if (options.some((o) => o.type === SUBCOMMAND || o.type === GROUP)) return outline(`/${command.name}`, options);
    const usage = options.map((o) => (o.required ? ` ${o.name}:` : ` [${o.name}:]`)).join("");
    return [`/${command.name}${usage} — ${command.description}`];
  });
}

/** Shows an invocation the way Discord echoes it above a reply: `/faction info name:kdf`. */
export function describeInvocation(
  invocation: SlashInvocation,
  names?: (option: OptionShape, value: OptionValue) => string,
): string {
  const path = [invocation.command.name, invocation.subcommandGroup, invocation.subcommand].filter(Boolean).join(" ");
  // In the order the command defines its options, as Discord shows them, whatever order they were typed in.
  const given = invocation.leaf.filter((o) => o.name in invocation.options);
  const options = given.map((option) => {
    const name = option.name;
    const value = invocation.options[name] ?? "";
    const shown = names ? names(option, value) : String(value);
    return `${name}:${/\s/.test(shown) || shown === "" ? `"${shown}"` : shown}`;
  });
  return `/${[path, ...options].join(" ")}`;
}
