/**
 * Server-side state of each dispatched interaction, and the handle tests use
 * to read what the bot answered on that interaction's token.
 */

import type { APIInteraction, APIMessage, InteractionResponseType } from "discord.js";
import { MessageFlags } from "discord.js";
import type { JsonObject } from "./json.js";
import { clone } from "./json.js";
import type { MessageStore } from "./messages.js";
import { ChangeSignal, delay, waitFor } from "./wait.js";

export interface InteractionCallback {
  type: InteractionResponseType;
  data?: JsonObject;
}

export class InteractionRecord {
  callback: InteractionCallback | undefined;
  /** Message that `@original` addresses once acknowledged (a reply, or the component's message). */
  originalMessageId: string | undefined;
  readonly followUpIds: string[] = [];
  readonly dispatchedAt = Date.now();
  lastActivityAt = Date.now();
  readonly changed = new ChangeSignal();

  constructor(readonly payload: APIInteraction) {}

  get id(): string {
    return this.payload.id;
  }

  get token(): string {
    return this.payload.token;
  }

  touch(): void {
    this.lastActivityAt = Date.now();
    this.changed.notify();
  }
}

export class InteractionRegistry {
  private readonly byToken = new Map<string, InteractionRecord>();
  private readonly byId = new Map<string, InteractionRecord>();

  register(payload: APIInteraction): InteractionRecord {
    const existing = this.byId.get(payload.id);
    if (existing) return existing;
    const record = new InteractionRecord(payload);
    this.byToken.set(record.token, record);
    this.byId.set(record.id, record);
    return record;
  }

  withToken(token: string): InteractionRecord | undefined {
    return this.byToken.get(token);
  }

  withId(id: string): InteractionRecord | undefined {
    return this.byId.get(id);
  }

  all(): InteractionRecord[] {
    return [...this.byId.values()];
  }
}

export interface SettleOptions {
  /** How long the token must stay unused before the interaction counts as settled. Default 100 ms. */
  quietMs?: number;
  /** Upper bound; settled() resolves (never rejects) once it passes. Default: the handle's timeout. */
  timeoutMs?: number;
}

/** What a test holds after dispatching an interaction. */
export class InteractionHandle {
  /** The POST /callback body. Rejects if the bot does not answer within the timeout (Discord's 3 s rule is enforced separately). */
  readonly callback: Promise<InteractionCallback>;

  constructor(
    private readonly record: InteractionRecord,
    private readonly store: MessageStore,
    private readonly timeoutMs: number,
  ) {
    this.callback = waitFor(
      record.changed,
      () => (record.callback ? clone(record.callback) : undefined),
      timeoutMs,
      () => `the bot to answer interaction ${record.id} (${describeInteraction(record.payload)})`,
    );
    // Tests that only look at settled()/original() must not trip unhandled-rejection reporting.
    this.callback.catch(() => undefined);
  }

  get payload(): APIInteraction {
    return this.record.payload;
  }

  /** Latest state of `@original` (after PATCH edits), or undefined before a message-producing callback or after deletion. */
  original(): APIMessage | undefined {
    const id = this.record.originalMessageId;
    const message = id === undefined ? undefined : this.store.get(id);
    return message ? clone(message) : undefined;
  }

  /** Follow-ups in the order sent, at their latest state (deleted ones are dropped). */
  get followUps(): APIMessage[] {
    return this.record.followUpIds.flatMap((id) => {
      const message = this.store.get(id);
      return message ? [clone(message)] : [];
    });
  }

  /** Resolves with the n-th follow-up (1-based) once the bot has sent it. */
  waitForFollowUp(n = 1, timeoutMs = this.timeoutMs): Promise<APIMessage> {
    return waitFor(
      this.record.changed,
      () => {
        const id = this.record.followUpIds[n - 1];
        const message = id === undefined ? undefined : this.store.get(id);
        return message ? clone(message) : undefined;
      },
      timeoutMs,
      () => `follow-up #${n} on interaction ${this.record.id}`,
    );
  }

  isEphemeral(): boolean {
    return ((this.original()?.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
  }

  /**
   * Waits until the bot has answered and then left this interaction's token
   * alone for `quietMs`. Resolves at the timeout even if it never answered,
   * so a test can assert that the bot stayed silent.
   */
  async settled(options: SettleOptions = {}): Promise<void> {
    const quietMs = options.quietMs ?? 100;
    const deadline = Date.now() + (options.timeoutMs ?? this.timeoutMs);
    for (;;) {
      const now = Date.now();
      if (now >= deadline) return;
      const quietFor = now - this.record.lastActivityAt;
      if (this.record.callback && quietFor >= quietMs) return;
      const wait = this.record.callback ? quietMs - quietFor : Math.min(quietMs, deadline - now);
      await delay(Math.max(1, Math.min(wait, deadline - now)));
    }
  }
}

function describeInteraction(payload: APIInteraction): string {
  const data: unknown = payload.data;
  if (typeof data === "object" && data !== null) {
    if ("name" in data && typeof data.name === "string") return `/${data.name}`;
    if ("custom_id" in data && typeof data.custom_id === "string") return `custom_id ${data.custom_id}`;
  }
  return `type ${payload.type}`;
}
