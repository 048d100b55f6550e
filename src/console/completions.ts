import { ApplicationCommandOptionType } from "discord.js";
import type { LoopbackDiscord } from "../../test/loopback/server.js";
import type { ConsoleDirectory } from "./directory.js";
import { type CommandShape, type OptionShape, parseSlash } from "./parse-slash.js";
import type { ConsoleSession } from "./session.js";

const VERBS = [
  "help",
  "members",
  "servers",
  "channels",
  "messages",
  "as ",
  "server ",
  "channel ",
  "click ",
  "pick ",
  "use ",
  "show ",
  "quit",
];

/**
 * Tab completion at the prompt. Command, subcommand and option names and fixed choices come from the registered
 * definitions. In an autocomplete option, Tab asks the bot exactly as `?` does and lists the suggestions.
 */
export class Completions {
  constructor(
    private readonly session: ConsoleSession,
    private readonly discord: LoopbackDiscord,
    private readonly directory: ConsoleDirectory,
  ) {}

  async complete(line: string): Promise<[string[], string]> {
    if (!line.startsWith("/")) return this.consoleWord(line);
    const commands = this.commands();
    const words = line.slice(1).split(" ");
    const [name = "", ...rest] = words;
    if (rest.length === 0)
      return [
        prefixed(
          commands.map((c) => `/${c.name} `),
          line,
        ),
        line,
      ];
    const command = commands.find((c) => c.name === name.toLowerCase());
    if (!command) return [[], line];
    let level = command.options ?? [];
    while (level.some(isSubcommand)) {
      const word = rest.shift() ?? "";
      if (rest.length === 0)
        return [
          prefixed(
            level.map((o) => `${o.name} `),
            word,
          ),
          word,
        ];
      level = level.find((o) => o.name === word)?.options ?? [];
    }
    const current = rest[rest.length - 1] ?? "";
    const colon = current.indexOf(":");
    if (colon < 0) {
      const names = prefixed(
        level.map((o) => `${o.name}:`),
        current,
      );
      if (names.length > 0 || !current) return [names, current];
      return this.fromBot(line, level);
    }
    const option = level.find((o) => o.name === current.slice(0, colon));
    if (!option) return [[], current];
    if (option.choices?.length)
      return [
        prefixed(
          option.choices.map((c) => `${option.name}:${c.value} `),
          current,
        ),
        current,
      ];
    return option.autocomplete ? this.fromBot(line, level) : [[], current];
  }

  private consoleWord(line: string): [string[], string] {
    const [verb = "", ...rest] = line.split(" ");
    if (rest.length === 0) return [prefixed(VERBS, line), line];
    const typed = rest.join(" ");
    const guildId = this.session.guildId;
    const candidates: Record<string, string[]> = {
      as: this.directory.members(guildId).map((u) => u.username),
      server: this.directory.guilds.map((g) => g.name),
      channel: this.directory.textChannels(guildId).map((c) => c.name),
    };
    return [prefixed(candidates[verb] ?? [], typed), typed];
  }

  /** Asks the bot for suggestions as `?` would. */
  private async fromBot(line: string, level: readonly OptionShape[]): Promise<[string[], string]> {
    // A value still inside an opening quote is closed first, so `name:"klingon emp` can be completed too.
    const open = (line.match(/"/g) ?? []).length % 2 === 1;
    const asking = `${line}${open ? '"' : ""}?`;
    const parsed = parseSlash(asking, this.commands(), this.directory.lookup(this.session.guildId));
    const focus = parsed.kind === "invoke" ? parsed.invocation.focus : undefined;
    if (!focus?.option.autocomplete || !level.some((o) => o.name === focus.option.name)) return [[], line];
    // The suggestions are listed for `use N`. The line is left alone: a suggestion's value (an entry id, say) is
    // what Discord would send, and its name is only a label, so neither belongs in the typed text.
    await this.session.run(asking);
    return [[], line];
  }

  private commands(): CommandShape[] {
    // JSON boundary: registered commands carry the deployed option definitions.
    return this.discord.commands() as unknown as CommandShape[];
  }
}

function isSubcommand(option: OptionShape): boolean {
  return (
    option.type === ApplicationCommandOptionType.Subcommand ||
    option.type === ApplicationCommandOptionType.SubcommandGroup
  );
}

function prefixed(candidates: readonly string[], typed: string): string[] {
  const lower = typed.toLowerCase();
  return candidates.filter((candidate) => candidate.toLowerCase().startsWith(lower));
}
