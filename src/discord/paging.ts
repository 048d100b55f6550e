import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  type ChatInputCommandInteraction,
  type MessageComponentInteraction,
  type ModalSubmitInteraction,
} from "discord.js";
import { UserError } from "../errors.js";
import type { AppContext } from "./command-module.js";
import { update } from "./reply.js";

// Paged replies (lists, rosters, logs): Previous/Next buttons whose custom ids carry everything needed to draw the
// next page, so pages survive restarts; only the member who asked may turn them, and they expire.

/** Buttons stop working after this; the message keeps the page it shows. */
export const PAGE_TTL_MS = 10 * 60_000;

export interface PagerState {
  ownerId: string;
  page: number;
  expiresAt: number;
  /** Whatever else the page needs (filters, a faction id). Colons are not allowed inside. */
  rest: string[];
}

export function pageButtons(prefix: string, state: PagerState, pageCount: number): ActionRowBuilder<ButtonBuilder>[] {
  if (pageCount <= 1) return [];
  const id = (page: number) => [prefix, state.ownerId, page, state.expiresAt.toString(36), ...state.rest].join(":");
  return [
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder()
        .setCustomId(id(state.page - 1))
        .setLabel("◀ Previous")
        .setStyle(ButtonStyle.Secondary)
        .setDisabled(state.page <= 0),
      new ButtonBuilder()
        .setCustomId(id(state.page + 1))
        .setLabel("Next ▶")
        .setStyle(ButtonStyle.Secondary)
        .setDisabled(state.page >= pageCount - 1),
    ),
  ];
}

export function newPager(ctx: AppContext, ownerId: string, rest: string[]): PagerState {
  return { ownerId, page: 0, expiresAt: ctx.clock.now().getTime() + PAGE_TTL_MS, rest };
}

/** Takes the buttons off the first page when they expire, while the interaction token (15 min) still allows it. */
export function expireButtonsLater(interaction: ChatInputCommandInteraction, ctx: AppContext): void {
  ctx.timers.after(
    PAGE_TTL_MS,
    async () => {
      await interaction.editReply({ components: [] });
    },
    (error) => ctx.log.debug({ err: error }, "could not remove expired page buttons"),
  );
}

/**
 * Reads a page button's state and checks it may be used: by its owner, before it expires. An expired button
 * loses its buttons and the member is told why.
 */
export async function readPageClick(
  interaction: MessageComponentInteraction | ModalSubmitInteraction,
  args: string[],
  ctx: AppContext,
  command: string,
): Promise<PagerState> {
  const [ownerId = "", pageText = "0", expiresText = "0", ...rest] = args;
  if (interaction.user.id !== ownerId)
    throw new UserError("not-yours", `Only <@${ownerId}> can turn these pages. Run \`${command}\` to get your own.`);
  const expiresAt = Number.parseInt(expiresText, 36);
  if (!(ctx.clock.now().getTime() <= expiresAt)) {
    await update(interaction, { embeds: interaction.message?.embeds.map((e) => e.toJSON()) ?? [], components: [] });
    throw new UserError("expired", `These pages have expired. Run \`${command}\` again.`);
  }
  const page = Number.parseInt(pageText, 10);
  return { ownerId, page: Number.isFinite(page) ? page : 0, expiresAt, rest };
}
