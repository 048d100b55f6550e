import { randomBytes } from "node:crypto";
import {
  type ActionRowBuilder,
  type APIActionRowComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
  type EmbedBuilder,
  type Interaction,
  type InteractionReplyOptions,
  type MessageActionRowComponentBuilder,
  type MessageComponentInteraction,
  MessageFlags,
  type ModalSubmitInteraction,
  type RepliableInteraction,
} from "discord.js";
import { UserError } from "../errors.js";
import type { Logger } from "../logging/logger.js";

/** No reply of ours may ping anyone: lore and member text can contain @everyone, role or user mentions. */
export const NO_MENTIONS = { parse: [], repliedUser: false } as const;

export interface Reply {
  content?: string;
  embeds?: (EmbedBuilder | APIEmbed)[];
  components?: (
    | ActionRowBuilder<MessageActionRowComponentBuilder>
    | APIActionRowComponent<APIComponentInMessageActionRow>
  )[];
  ephemeral?: boolean;
}

function toOptions(reply: Reply): InteractionReplyOptions {
  return {
    content: reply.content ?? "",
    embeds: reply.embeds ?? [],
    components: reply.components ?? [],
    allowedMentions: NO_MENTIONS,
    ...(reply.ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
  };
}

// Discord drops an interaction not acknowledged within 3 s. Under a burst (hundreds of members clicking one
// button) a component handler may not finish in time, so the router acknowledges it silently after a while
// (deferUpdate: nothing visible changes); the reply path then knows to follow up instead of replying.
const SLOW_AFTER_MS = 1200;
const pendingAck = new WeakMap<object, Promise<unknown>>();
const deferredUpdate = new WeakSet<object>();
/** Interactions whose answer is on its way: the slow-timer must not acknowledge them a second time. */
const answering = new WeakSet<object>();

/** Acknowledges a component interaction silently if its handler is still busy close to Discord's deadline. */
export function deferUpdateIfSlow(interaction: MessageComponentInteraction | ModalSubmitInteraction): () => void {
  const wait = Math.max(0, SLOW_AFTER_MS - (Date.now() - interaction.createdTimestamp));
  const timer = setTimeout(() => {
    if (interaction.deferred || interaction.replied || answering.has(interaction)) return;
    deferredUpdate.add(interaction);
    pendingAck.set(
      interaction,
      interaction.deferUpdate().catch(() => undefined),
    );
  }, wait);
  timer.unref();
  return () => clearTimeout(timer);
}

/**
 * The one way handlers answer. It knows whether the interaction was already deferred or answered and picks
 * reply, editReply or followUp accordingly.
 */
export async function send(
  interaction: RepliableInteraction | MessageComponentInteraction | ModalSubmitInteraction,
  reply: Reply,
): Promise<void> {
  answering.add(interaction);
  await pendingAck.get(interaction);
  const options = toOptions(reply);
  if (deferredUpdate.has(interaction)) await interaction.followUp(options);
  else if (interaction.deferred && !interaction.replied) {
    const { flags: _flags, ...edit } = options;
    await interaction.editReply(edit);
  } else if (interaction.replied || interaction.deferred) await interaction.followUp(options);
  else await interaction.reply(options);
}

/** Replaces the message a button or menu sits on (or follows up when it was already acknowledged). */
export async function update(
  interaction: MessageComponentInteraction | ModalSubmitInteraction,
  reply: Reply,
): Promise<void> {
  if (interaction.replied || interaction.deferred) {
    const { flags: _flags, ...edit } = toOptions(reply);
    await interaction.editReply(edit);
    return;
  }
  if (interaction.isModalSubmit() && !interaction.isFromMessage()) {
    await send(interaction, reply);
    return;
  }
  const { flags: _flags, ...edit } = toOptions(reply);
  await interaction.update(edit);
}

export function newReferenceId(): string {
  return randomBytes(4).toString("hex").toUpperCase();
}

/**
 * Central error answer: a UserError is told as it is; anything else is logged with a reference id and the member
 * sees a short apology with that id. Never throws: an interaction that cannot be answered is only logged.
 */
export async function respondWithError(interaction: Interaction, error: unknown, log: Logger): Promise<void> {
  if (interaction.isAutocomplete()) {
    log.warn({ err: error, command: interaction.commandName }, "autocomplete failed");
    if (!interaction.responded) await interaction.respond([]).catch(() => undefined);
    return;
  }
  if (!interaction.isRepliable()) return;
  let content: string;
  if (error instanceof UserError) {
    content = error.message;
    log.debug({ code: error.code, ...error.context }, "user error");
  } else {
    const reference = newReferenceId();
    log.error({ err: error, reference, interaction: describe(interaction) }, "interaction failed");
    content = `Something went wrong on our side and nothing was changed. If it happens again, tell the server admins and quote reference \`${reference}\`.`;
  }
  try {
    await send(interaction, { content, ephemeral: true });
  } catch (sendError) {
    log.warn({ err: sendError }, "could not tell the member about an error");
  }
}

function describe(interaction: Interaction): Record<string, unknown> {
  return {
    id: interaction.id,
    type: interaction.type,
    guildId: interaction.guildId,
    userId: interaction.user.id,
    command: interaction.isCommand() ? interaction.commandName : undefined,
    customId: interaction.isMessageComponent() || interaction.isModalSubmit() ? interaction.customId : undefined,
  };
}
