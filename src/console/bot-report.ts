import {
  type APIApplicationCommandOptionChoice,
  type APIInteraction,
  type APIModalInteractionResponseCallbackData,
  InteractionResponseType,
  MessageFlags,
} from "discord.js";
import type { InteractionHandle, LoopbackDiscord, RecordedRequest } from "../../test/loopback/server.js";
import { type BotActivity, describeRequest, type JsonObject } from "./bot-activity.js";
import type { ConsoleDirectory } from "./directory.js";
import type { SlashInvocation } from "./parse-slash.js";
import { heading, type MessageView, renderChoices } from "./render-message.js";
import type { Screen } from "./screen.js";

// Reads the loopback server's record of the bot's REST calls, in order, and shows each the way the member who
// started the interaction would see it: "reply", "reply (only you can see this)", "edited reply", "follow-up",
// "message in #channel", suggestions, and Discord's refusals. Forms the bot opens are kept for the session to ask.

/** An interaction the console dispatched, so the bot's answers on its token can be labelled. */
export interface Tracked {
  payload: APIInteraction;
  userId: string;
  handle: InteractionHandle;
  answered: boolean;
  /** For autocomplete: the command being typed, so `use N` can run it. */
  invocation?: SlashInvocation;
}

export interface Suggestions {
  invocation: SlashInvocation;
  choices: APIApplicationCommandOptionChoice[];
}

export interface PendingForm {
  data: APIModalInteractionResponseCallbackData;
  tracked: Tracked;
}

export interface BotReportOptions {
  discord: LoopbackDiscord;
  directory: ConsoleDirectory;
  screen: Screen;
  botName: string;
  /** The server and member the console acts as now: names are shown as seen there, "you" is this member. */
  viewer: () => { guildId: string; userId: string };
}

export class BotReport {
  /** The last suggestions shown, for `use N`. */
  suggestions: Suggestions | undefined;
  private readonly tracked = new Map<string, Tracked>();
  private readonly byToken = new Map<string, Tracked>();
  /** Deferred replies still showing "thinking…": their first edit is the real reply. */
  private readonly loading = new Set<string>();
  private readonly forms: PendingForm[] = [];
  /** Direct-message channels the bot opened, and with whom. */
  private readonly dmChannels = new Map<string, string>();
  private processed: number;

  constructor(private readonly options: BotReportOptions) {
    // What happened before the session (login, command registration) is not the member's business.
    this.processed = options.discord.requests.length;
  }

  track(tracked: Tracked): void {
    this.tracked.set(tracked.payload.id, tracked);
    this.byToken.set(tracked.payload.token, tracked);
  }

  /** True when the bot has done something not shown yet. */
  get behind(): boolean {
    return this.options.discord.requests.length > this.processed;
  }

  /** Shows every REST call the bot made since the last time, in order. */
  drain(): void {
    const requests = this.options.discord.requests;
    while (this.processed < requests.length) {
      const request = requests[this.processed++];
      if (request) this.reportRequest(request);
    }
  }

  /** The next form (modal) the bot opened and nobody has filled in yet. */
  nextForm(): PendingForm | undefined {
    return this.forms.shift();
  }

  /** True while the interaction's deferred reply still shows "thinking…". */
  thinking(tracked: Tracked): boolean {
    this.drain();
    const id = tracked.handle.original()?.id;
    return id !== undefined && this.loading.has(id);
  }

  isDirectMessage(channelId: string): boolean {
    return this.dmChannels.has(channelId);
  }

  private reportRequest(request: RecordedRequest): void {
    const activity = describeRequest(request);
    if (activity) this.report(activity);
  }

  private report(activity: BotActivity): void {
    const { screen, botName } = this.options;
    switch (activity.kind) {
      case "callback":
        this.reportCallback(activity.interactionId, activity.type, activity.data);
        break;
      case "follow-up": {
        const filled = this.loading.delete(activity.message.id);
        const label = this.label(
          filled ? "reply" : "follow-up",
          activity.message.flags,
          this.byToken.get(activity.token),
        );
        screen.printMessage(activity.message, label, activity.message.id, this.names());
        break;
      }
      case "edit": {
        const tracked = this.byToken.get(activity.token);
        const filled = this.loading.delete(activity.message.id);
        const original = activity.messageId === "@original" || activity.message.id === tracked?.handle.original()?.id;
        const what = filled ? "reply" : original ? "edited reply" : "edited follow-up";
        screen.printMessage(
          activity.message,
          this.label(what, activity.message.flags, tracked),
          activity.message.id,
          this.names(),
        );
        break;
      }
      case "delete":
        screen.print(heading("reply deleted", screen.width));
        break;
      case "channel-message": {
        const what = `${activity.edited ? "edited message" : "message"} ${this.channelLabel(activity.channelId)}`;
        screen.printMessage(activity.message, what, activity.message.id, this.names());
        break;
      }
      case "channel-delete":
        screen.print(heading(`message deleted ${this.channelLabel(activity.channelId)}`, screen.width));
        break;
      case "dm-open":
        this.dmChannels.set(activity.channelId, activity.userId);
        break;
      case "role": {
        const names = this.options.directory.names(activity.guildId);
        const role = `@${names.role(activity.roleId) ?? "unknown-role"}`;
        const member = `@${names.user(activity.userId) ?? "unknown-user"}`;
        screen.print(
          activity.added
            ? `· ${botName} gave ${member} the role ${role}`
            : `· ${botName} took the role ${role} from ${member}`,
        );
        break;
      }
      case "other":
        screen.print(`· ${botName} called ${activity.method} ${activity.route}`);
        break;
      case "failed":
        screen.print(
          `! Discord refused ${botName}'s ${activity.method} ${activity.route}: ${activity.status} ${activity.reason}`,
        );
        break;
    }
  }

  private reportCallback(interactionId: string, type: number, data: JsonObject | undefined): void {
    const { screen, botName } = this.options;
    const tracked = this.tracked.get(interactionId);
    if (tracked) tracked.answered = true;
    const flags = typeof data?.flags === "number" ? data.flags : 0;
    switch (type) {
      case InteractionResponseType.ChannelMessageWithSource:
        // JSON boundary: the callback data is the message the bot sent, already accepted by the loopback server.
        screen.printMessage(
          data as MessageView | undefined,
          this.label("reply", flags, tracked),
          tracked?.handle.original()?.id,
          this.names(),
        );
        break;
      case InteractionResponseType.DeferredChannelMessageWithSource: {
        const id = tracked?.handle.original()?.id;
        if (id) this.loading.add(id);
        screen.print([heading(this.label("reply", flags, tracked), screen.width), `${botName} is thinking…`]);
        break;
      }
      case InteractionResponseType.DeferredMessageUpdate:
        break;
      case InteractionResponseType.UpdateMessage: {
        // The update replaces the fields it names on the message the button or menu sits on.
        const source = tracked && "message" in tracked.payload ? tracked.payload.message : undefined;
        const merged = { ...(source ?? {}), ...(data ?? {}) } as MessageView;
        const what = source?.interaction_metadata
          ? "edited reply"
          : `edited message ${this.channelLabel(source?.channel_id ?? "")}`;
        screen.printMessage(merged, this.label(what, source?.flags ?? 0, tracked), source?.id, this.names());
        break;
      }
      case InteractionResponseType.ApplicationCommandAutocompleteResult: {
        const choices = (Array.isArray(data?.choices) ? data.choices : []) as APIApplicationCommandOptionChoice[];
        const invocation = tracked?.invocation;
        if (invocation) this.suggestions = { invocation, choices };
        screen.print([
          heading(`suggestions for ${invocation?.focus?.option.name ?? "?"}: (use N)`, screen.width),
          ...renderChoices(choices, screen.width),
        ]);
        break;
      }
      case InteractionResponseType.Modal:
        // Asked once the bot has gone quiet, so the questions do not interleave with its other output.
        if (tracked && data)
          this.forms.push({ data: data as unknown as APIModalInteractionResponseCallbackData, tracked });
        break;
      default:
        screen.print(`· ${botName} answered with interaction callback type ${type}`);
    }
  }

  /** `in #council`, or `to @carol (direct message)`. */
  private channelLabel(channelId: string): string {
    const recipient = this.dmChannels.get(channelId);
    if (recipient) return `to @${this.username(recipient)} (direct message)`;
    return `in #${this.names().channel(channelId) ?? "unknown-channel"}`;
  }

  private label(what: string, flags: number | undefined, tracked: Tracked | undefined): string {
    if (!((flags ?? 0) & MessageFlags.Ephemeral)) return what;
    const owner = tracked?.userId;
    return owner && owner !== this.options.viewer().userId
      ? `${what} (only ${this.username(owner)} can see this)`
      : `${what} (only you can see this)`;
  }

  private names() {
    return this.options.directory.names(this.options.viewer().guildId);
  }

  private username(userId: string): string {
    return this.options.discord.userObject(userId)?.username ?? userId;
  }
}
