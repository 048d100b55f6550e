import {
  type APIApplicationCommandOptionChoice,
  type APIInteraction,
  type APIMessage,
  ApplicationCommandOptionType,
  ComponentType,
  MessageFlags,
} from "discord.js";
import { autocomplete, button, chatInput, modalSubmit, stringSelect } from "../../test/loopback/interactions.js";
import type { InteractionHandle, LoopbackDiscord } from "../../test/loopback/server.js";
import type { JsonObject } from "./bot-activity.js";
import { BotReport, type Tracked } from "./bot-report.js";
import type { ConsoleDirectory } from "./directory.js";
import { answerField, formFields, optionIndex } from "./form.js";
import { type ConsoleCommand, parseLine } from "./parse-line.js";
import {
  type CommandShape,
  commandUsage,
  describeInvocation,
  type OptionShape,
  type OptionValue,
  parseSlash,
  type SlashInvocation,
} from "./parse-slash.js";
import { renderComponents } from "./render-components.js";
import { heading, renderChoices, renderForm } from "./render-message.js";
import { Screen, type ScreenControl } from "./screen.js";

// One person at the console: who they are, where they are, what is on their screen (numbered buttons and menus,
// autocomplete suggestions) and the interactions they started. Every action becomes an interaction payload shaped
// as Discord sends it, dispatched to the real bot through the loopback server; every REST call the bot makes in
// return is printed as the member would see it.

export interface ConsoleIO {
  /** Prints lines. Output that arrives while the member is typing is shown above the prompt. */
  print(lines: string | readonly string[]): void;
  /** Reads one answer (a form field); undefined when input has ended. */
  ask(question: string): Promise<string | undefined>;
}

export interface SessionOptions {
  discord: LoopbackDiscord;
  directory: ConsoleDirectory;
  io: ConsoleIO;
  /** Columns for wrapping and frames. */
  width: number;
  /** Name the bot goes by in messages such as "Khitomer is thinking…". */
  botName: string;
  /** How long the bot must stay silent before the next line runs. */
  quietMs?: number;
  /** How long to wait for a first answer; Discord gives up after 3 s. */
  answerTimeoutMs?: number;
  /** How long to wait for a deferred reply to be filled in before reading the next line. */
  thinkingTimeoutMs?: number;
}

export type LineResult = "continue" | "quit";

export class ConsoleSession {
  guildId: string;
  channelId: string;
  userId: string;

  private readonly discord: LoopbackDiscord;
  private readonly directory: ConsoleDirectory;
  private readonly io: ConsoleIO;
  private readonly width: number;
  private readonly botName: string;
  private readonly quietMs: number;
  private readonly answerTimeoutMs: number;
  private readonly thinkingTimeoutMs: number;

  private readonly screen: Screen;
  private readonly report: BotReport;
  private busy = false;
  private watcher: NodeJS.Timeout | undefined;

  constructor(options: SessionOptions) {
    this.discord = options.discord;
    this.directory = options.directory;
    this.io = options.io;
    this.width = options.width;
    this.botName = options.botName;
    this.quietMs = options.quietMs ?? 150;
    this.answerTimeoutMs = options.answerTimeoutMs ?? 3500;
    this.thinkingTimeoutMs = options.thinkingTimeoutMs ?? 15_000;
    const first = this.directory.guilds[0];
    if (!first) throw new Error("console: no servers seeded");
    this.guildId = first.id;
    this.channelId = this.directory.textChannels(first.id)[0]?.id ?? "";
    this.userId = first.ownerId ?? first.members?.[0]?.user.id ?? "";
    this.screen = new Screen(this.io, this.width);
    this.report = new BotReport({
      discord: this.discord,
      directory: this.directory,
      screen: this.screen,
      botName: this.botName,
      viewer: () => ({ guildId: this.guildId, userId: this.userId }),
    });
  }

  /** Prints what the bot does as it happens, also between commands (a timer editing a reply, for instance). */
  startWatching(intervalMs = 25): void {
    this.watcher ??= setInterval(() => {
      if (!this.busy && this.report.behind) this.screen.newAnswer();
      this.report.drain();
    }, intervalMs);
    this.watcher.unref();
  }

  stopWatching(): void {
    clearInterval(this.watcher);
    this.watcher = undefined;
    this.report.drain();
  }

  /** The autocomplete suggestions on screen (for Tab completion). */
  currentSuggestions(): readonly APIApplicationCommandOptionChoice[] {
    return this.report.suggestions?.choices ?? [];
  }

  prompt(): string {
    const guild = this.directory.guild(this.guildId);
    const channel = guild.channels.find((c) => c.id === this.channelId)?.name ?? "?";
    return `[${guild.name} #${channel} @${this.username(this.userId)}] `;
  }

  banner(): string[] {
    const guild = this.directory.guild(this.guildId);
    const channel = guild.channels.find((c) => c.id === this.channelId)?.name ?? "?";
    return [
      "Khitomer console: the real bot, its handlers and database, on a local stand-in for Discord.",
      "No token needed and nothing leaves this machine.",
      `You are ${this.username(this.userId)}${guild.ownerId === this.userId ? " (the server owner)" : ""} in ${guild.name} #${channel}.`,
      "Try /faction info kdf, /lore search treaty, or end a command with ? for suggestions (/faction info kl?).",
      "Type help for console commands, quit (or Ctrl-D) to leave.",
    ];
  }

  /** Runs one console line to the end: the bot has answered and gone quiet, and any form it opened is filled in. */
  async run(line: string): Promise<LineResult> {
    this.busy = true;
    this.screen.newAnswer();
    try {
      return await this.execute(parseLine(line));
    } finally {
      this.report.drain();
      this.busy = false;
    }
  }

  private async execute(command: ConsoleCommand): Promise<LineResult> {
    switch (command.kind) {
      case "empty":
        break;
      case "quit":
        return "quit";
      case "error":
        this.say(command.message);
        break;
      case "help":
        this.io.print(this.helpLines());
        break;
      case "slash":
        await this.slash(command.text);
        break;
      case "use":
        await this.use(command.number);
        break;
      case "click":
        await this.click(command.number);
        break;
      case "pick":
        await this.pick(command.number, command.picks);
        break;
      case "as":
        this.switchMember(command.who);
        break;
      case "server":
        this.switchServer(command.which);
        break;
      case "channel":
        this.switchChannel(command.which);
        break;
      case "members":
        this.io.print([
          `Members of ${this.directory.guild(this.guildId).name} (* is you; switch with: as <name>):`,
          ...this.directory.memberLines(this.guildId, this.userId),
        ]);
        break;
      case "servers":
        this.io.print([
          "Servers (switch with: server <name or number>):",
          ...this.directory.guilds.map((g, i) => `${g.id === this.guildId ? "*" : " "} ${i + 1}. ${g.name}`),
        ]);
        break;
      case "channels":
        this.io.print([
          `Channels of ${this.directory.guild(this.guildId).name} (switch with: channel <name>):`,
          ...this.directory
            .textChannels(this.guildId)
            .map((c) => `${c.id === this.channelId ? "*" : " "} #${c.name}${c.topic ? ` — ${c.topic}` : ""}`),
        ]);
        break;
      case "messages":
        this.listMessages();
        break;
      case "show":
        this.show(command.which);
        break;
    }
    return "continue";
  }

  // --- slash commands and autocomplete -------------------------------------------------------------

  private commandShapes(): CommandShape[] {
    // Guild commands shadow global ones of the same name, as in the Discord client.
    const seen = new Set<string>();
    const shapes: CommandShape[] = [];
    for (const command of [...this.discord.commands(this.guildId), ...this.discord.commands()]) {
      if (seen.has(command.name)) continue;
      seen.add(command.name);
      // JSON boundary: registered commands carry the deployed option definitions.
      shapes.push(command as unknown as CommandShape);
    }
    return shapes;
  }

  private async slash(text: string): Promise<void> {
    const parsed = parseSlash(text, this.commandShapes(), this.directory.lookup(this.guildId));
    if (parsed.kind === "error") {
      this.say(parsed.message);
      return;
    }
    if (parsed.kind === "outline") {
      this.io.print(parsed.lines);
      return;
    }
    const invocation = parsed.invocation;
    if (invocation.focus) return this.suggest(invocation);
    const shown = describeInvocation(invocation, (option, value) => this.optionText(option, value));
    if (shown !== text.trim()) this.io.print(`→ ${shown}`);
    await this.invoke(invocation);
  }

  /** Members, roles and channels by name in the echoed command, as the Discord client shows them. */
  private optionText(option: OptionShape, value: OptionValue): string {
    const names = this.names();
    const id = String(value);
    switch (option.type) {
      case ApplicationCommandOptionType.User:
        return `@${names.user(id) ?? id}`;
      case ApplicationCommandOptionType.Role:
        return `@${names.role(id) ?? id}`;
      case ApplicationCommandOptionType.Mentionable:
        return `@${names.user(id) ?? names.role(id) ?? id}`;
      case ApplicationCommandOptionType.Channel:
        return `#${names.channel(id) ?? id}`;
      default:
        return id;
    }
  }

  private async invoke(invocation: SlashInvocation): Promise<void> {
    const payload = this.build(() =>
      chatInput({
        ...this.where(),
        command: this.registered(invocation.command.name),
        ...this.path(invocation),
        options: invocation.options,
      }),
    );
    if (payload) await this.dispatch(payload);
  }

  /** A line ending in `?`: suggestions from the bot (autocomplete) or from the option's fixed choices. */
  private async suggest(invocation: SlashInvocation): Promise<void> {
    const focus = invocation.focus;
    if (!focus) return;
    if (!focus.option.autocomplete) {
      const typed = focus.value.toLowerCase();
      const all = focus.option.choices ?? [];
      const matching = all.filter((c) => `${c.name} ${c.value}`.toLowerCase().includes(typed));
      const choices = (matching.length ? matching : all).map((c) => ({ name: c.name, value: c.value }));
      this.report.suggestions = { invocation, choices };
      this.io.print([
        heading(`choices for ${focus.option.name}: (use N)`, this.width),
        ...renderChoices(choices, this.width),
      ]);
      return;
    }
    const payload = this.build(() =>
      autocomplete({
        ...this.where(),
        command: this.registered(invocation.command.name),
        ...this.path(invocation),
        options: invocation.options,
        focused: focus.option.name,
        value: focus.value,
      }),
    );
    if (payload) await this.dispatch(payload, invocation);
  }

  private async use(number: number): Promise<void> {
    const suggestions = this.report.suggestions;
    if (!suggestions) {
      this.say("No suggestions on screen. End a command with ? to ask for some, e.g. /faction info kl?");
      return;
    }
    const choice = suggestions.choices[number - 1];
    if (!choice) {
      this.say(`There are ${suggestions.choices.length} suggestions; pick 1 to ${suggestions.choices.length}.`);
      return;
    }
    const { focus, ...rest } = suggestions.invocation;
    if (!focus) return;
    const invocation: SlashInvocation = { ...rest, options: { ...rest.options, [focus.option.name]: choice.value } };
    const missing = invocation.leaf.filter((o) => o.required && !(o.name in invocation.options));
    if (missing.length) {
      this.say(`Also give ${missing.map((o) => `${o.name}:`).join(" ")} — type the command again with them.`);
      return;
    }
    // Discord shows the chosen suggestion's name in the box and sends its value.
    this.io.print(
      `→ ${describeInvocation(invocation, (option, value) => (option.name === focus.option.name && value === choice.value ? choice.name : this.optionText(option, value)))}`,
    );
    await this.invoke(invocation);
  }

  // --- buttons, menus and forms ----------------------------------------------------------------------

  private control(number: number): ScreenControl | undefined {
    const found = this.screen.control(number);
    if (found.ok) return found.control;
    this.say(found.problem);
    return undefined;
  }

  /** The control as it is now on its message, or why it cannot be used (as the Discord client would not let you). */
  private usable(control: ScreenControl): { message: APIMessage; guildId: string } | undefined {
    const message = this.discord.message(control.messageId);
    if (!message) {
      this.say("That message has been deleted.");
      return undefined;
    }
    const current = renderComponents(message.components ?? [], {
      width: this.width,
      names: this.names(),
      firstNumber: 1,
    }).controls.find((c) => c.customId === control.customId);
    if (!current) {
      this.say(`"${control.label}" is no longer on that message (the bot removed it).`);
      return undefined;
    }
    if (current.disabled) {
      this.say(`"${control.label}" is disabled.`);
      return undefined;
    }
    const owner = message.interaction_metadata?.user.id;
    if ((message.flags ?? 0) & MessageFlags.Ephemeral && owner && owner !== this.userId) {
      this.say(
        `Only ${this.username(owner)} can see that message (a private reply), so ${this.username(this.userId)} cannot use it.`,
      );
      return undefined;
    }
    const guild = this.directory.guildOfChannel(message.channel_id);
    if (!guild && this.report.isDirectMessage(message.channel_id)) {
      this.say("Buttons and menus in direct messages cannot be used from the console yet.");
      return undefined;
    }
    if (!guild) {
      this.say("That message is in a channel the console does not know.");
      return undefined;
    }
    if (!this.directory.isMember(guild.id, this.userId)) {
      this.say(`${this.username(this.userId)} is not in ${guild.name}, where that message is.`);
      return undefined;
    }
    return { message, guildId: guild.id };
  }

  private async click(number: number): Promise<void> {
    const control = this.control(number);
    if (!control) return;
    if (control.kind !== "button") {
      this.say(`[${number}] is a menu: pick ${number} a`);
      return;
    }
    const target = this.usable(control);
    if (!target) return;
    const payload = this.build(() =>
      button({
        discord: this.discord,
        guildId: target.guildId,
        user: this.userId,
        message: target.message,
        customId: control.customId,
      }),
    );
    if (payload) await this.dispatch(payload);
  }

  private async pick(number: number, picks: string[]): Promise<void> {
    const control = this.control(number);
    if (!control) return;
    if (control.kind !== "select") {
      this.say(`[${number}] is a button: click ${number}`);
      return;
    }
    if (control.componentType !== ComponentType.StringSelect) {
      this.say("Member, role and channel menus cannot be used from the console yet.");
      return;
    }
    const target = this.usable(control);
    if (!target) return;
    const values: string[] = [];
    for (const pick of picks) {
      const index = optionIndex(pick, control.options.length);
      const option = index === undefined ? undefined : control.options[index];
      if (!option) {
        this.say(`"${pick}" is not an option of [${number}]; use the letters shown (a, b, …).`);
        return;
      }
      if (!values.includes(option.value)) values.push(option.value);
    }
    if (values.length < control.minValues || values.length > control.maxValues) {
      this.say(
        control.minValues === control.maxValues
          ? `Choose ${control.minValues} option${control.minValues === 1 ? "" : "s"} in [${number}].`
          : `Choose ${control.minValues} to ${control.maxValues} options in [${number}].`,
      );
      return;
    }
    const payload = this.build(() =>
      stringSelect({
        discord: this.discord,
        guildId: target.guildId,
        user: this.userId,
        message: target.message,
        customId: control.customId,
        values,
      }),
    );
    if (payload) await this.dispatch(payload);
  }

  /** Forms the bot opened during the last interaction, asked field by field, then submitted like Discord's Submit. */
  private async fillForms(): Promise<void> {
    for (let form = this.report.nextForm(); form; form = this.report.nextForm()) {
      const fields = formFields(form.data.components);
      this.io.print([
        ...renderForm(form.data.title, fields, this.width),
        "(Enter a value for each field; !cancel closes the form.)",
      ]);
      const values: Record<string, string | string[]> = {};
      for (const [index, field] of fields.entries()) {
        for (;;) {
          const line = await this.io.ask(`${index + 1}. ${field.label}: `);
          if (line === undefined || line.trim() === "!cancel") {
            this.say("Form closed without sending, as with Cancel in Discord.");
            return;
          }
          const answer = answerField(field, line);
          if (answer.ok) {
            values[field.customId] = answer.value;
            break;
          }
          this.say(answer.problem);
        }
      }
      const source = form.tracked.payload;
      const message = "message" in source && source.message ? this.discord.message(source.message.id) : undefined;
      const payload = this.build(() =>
        modalSubmit({
          discord: this.discord,
          guildId: source.guild_id ?? this.guildId,
          channelId: source.channel?.id ?? this.channelId,
          user: form.tracked.userId,
          modal: form.data as unknown as JsonObject,
          fields: values,
          ...(message ? { message } : {}),
        }),
      );
      if (payload) await this.dispatch(payload);
    }
  }

  // --- dispatching and watching --------------------------------------------------------------------

  private where() {
    return { discord: this.discord, guildId: this.guildId, channelId: this.channelId, user: this.userId };
  }

  private path(invocation: SlashInvocation) {
    return {
      ...(invocation.subcommandGroup ? { subcommandGroup: invocation.subcommandGroup } : {}),
      ...(invocation.subcommand ? { subcommand: invocation.subcommand } : {}),
    };
  }

  private registered(name: string) {
    const command = this.discord.command(name, this.guildId);
    if (!command) throw new Error(`/${name} is not registered`);
    return command;
  }

  /** Fixture factories throw on payloads Discord would never send; that is the console's mistake, said plainly. */
  private build<T extends APIInteraction>(make: () => T): T | undefined {
    try {
      return make();
    } catch (error) {
      this.say(`could not build the interaction: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  private async dispatch(payload: APIInteraction, invocation?: SlashInvocation): Promise<void> {
    let handle: InteractionHandle;
    try {
      handle = this.discord.interact(payload, { timeoutMs: this.answerTimeoutMs });
    } catch (error) {
      this.say(error instanceof Error ? error.message : String(error));
      return;
    }
    const tracked: Tracked = {
      payload,
      userId: this.userId,
      handle,
      answered: false,
      ...(invocation ? { invocation } : {}),
    };
    this.report.track(tracked);
    await handle.settled({ quietMs: this.quietMs });
    // A deferred reply ("thinking…") is still coming: a slow handler is not a quiet one, so wait for it (bounded,
    // so a handler that never finishes does not hang a script).
    const deadline = Date.now() + this.thinkingTimeoutMs;
    while (this.report.thinking(tracked) && Date.now() < deadline) {
      // settled() returns at once while the token is quiet; a real pause lets the handler's own timers run.
      await new Promise((resolve) => setTimeout(resolve, this.quietMs));
      await handle.settled({ quietMs: this.quietMs, timeoutMs: Math.max(1, deadline - Date.now()) });
    }
    this.report.drain();
    if (!tracked.answered)
      this.say(`${this.botName} did not respond in time (Discord shows the member “The application did not respond”).`);
    await this.fillForms();
  }

  // --- older messages --------------------------------------------------------------------------------

  private listMessages(): void {
    const tagged = this.screen.tagged();
    if (tagged.length === 0) {
      this.say("No message with buttons or menus has been shown yet.");
      return;
    }
    const lines = ["Messages with buttons or menus (show mN puts one back on screen to use it):"];
    for (const { id, tag, label } of tagged) {
      const message = this.discord.message(id);
      const gist = message?.embeds?.[0]?.title ?? message?.content ?? "(deleted)";
      lines.push(`  ${tag}  ${label} — ${gist.replace(/\s+/g, " ").slice(0, 60)}`);
    }
    this.io.print(lines);
  }

  /** Shows an older message as it is now, with fresh numbers for its buttons, as scrolling up in Discord would. */
  private show(which: string): void {
    const entry = this.screen.findTagged(which);
    if (!entry) {
      this.say(`No message ${which}. Type messages to list them.`);
      return;
    }
    const message = this.discord.message(entry.id);
    if (!message) {
      this.say(`${entry.tag} has been deleted.`);
      return;
    }
    this.screen.newAnswer();
    this.screen.printMessage(message, `${entry.label}, as it is now`, message.id, this.names());
  }

  // --- who and where ---------------------------------------------------------------------------------

  private switchMember(who: string): void {
    const found = this.directory.findMember(this.guildId, who);
    if (!found.ok) {
      this.say(found.problem);
      return;
    }
    this.userId = found.value.id;
    this.say(`You are now ${found.value.username}.`);
  }

  private switchServer(which: string): void {
    const found = this.directory.findServer(which);
    if (!found.ok) {
      this.say(found.problem);
      return;
    }
    const guild = found.value;
    this.guildId = guild.id;
    this.channelId = this.directory.textChannels(guild.id)[0]?.id ?? "";
    if (!this.directory.isMember(guild.id, this.userId)) this.userId = this.directory.members(guild.id)[0]?.id ?? "";
    this.say(
      `You are now in ${guild.name}, #${this.directory.guild(guild.id).channels.find((c) => c.id === this.channelId)?.name ?? "?"}, as ${this.username(this.userId)}.`,
    );
  }

  private switchChannel(which: string): void {
    const found = this.directory.findChannel(this.guildId, which);
    if (!found.ok) {
      this.say(found.problem);
      return;
    }
    this.channelId = found.value.id;
    this.say(`You are now in #${found.value.name}.`);
  }

  // --- helpers ----------------------------------------------------------------------------------------

  private names() {
    return this.directory.names(this.guildId);
  }

  private username(userId: string): string {
    return this.discord.userObject(userId)?.username ?? userId;
  }

  /** The console's own voice, set apart from what the bot sent. */
  private say(text: string): void {
    this.io.print(`console: ${text}`);
  }

  helpLines(): string[] {
    return [
      "Slash commands (sent to the bot as Discord would send them):",
      ...commandUsage(this.commandShapes()).map((line) => `  ${line}`),
      "  Text without an option name fills the first required text option (else the first text option):",
      "    /faction info kdf, /lore show treaty of alliance",
      '  Quote values with spaces when naming options: /lore show entry:"Treaty of Alliance"',
      "  End with ? for suggestions: /faction info kl?  /faction list quadrant:?   then: use N",
      "  End with ? right after the command for its parts: /faction ?",
      "Buttons and menus of the messages on screen are numbered:",
      "  click N          press button [N]",
      "  pick N a [b …]   choose option(s) a, b… (or 1, 2…) in menu [N]",
      "  messages         messages with buttons or menus so far; show mN puts one back on screen",
      "Who and where:",
      "  members, as <name>        list members / act as one of them",
      "  servers, server <name|N>  list servers / switch server",
      "  channels, channel <name>  list channels / switch channel",
      "Other: help, quit (or exit, Ctrl-D). Lines starting with # are comments.",
    ];
  }
}
