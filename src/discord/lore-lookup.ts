import {
  ActionRowBuilder,
  type APIApplicationCommandOptionChoice,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type MessageComponentInteraction,
  type ModalSubmitInteraction,
  StringSelectMenuBuilder,
} from "discord.js";
import { UserError } from "../errors.js";
import { KIND_LABELS, type LoreBrief, type LoreHeader, type LoreKind } from "../lore/model.js";
import { normalize } from "../lore/normalize.js";
import type { AppContext } from "./command-module.js";
import { entryCard } from "./render/entry-card.js";
import { standingText } from "./render/lore-embeds.js";
import { send, update } from "./reply.js";
import { quoteInput, truncate } from "./text.js";

// Shared by /faction info and /lore show: autocomplete, re-resolving what was sent, and "did you mean".

export const LORE_PICK_PREFIX = "lore-pick";
const MAX_CHOICES = 25;

/** Up to 25 best matches for what the member has typed so far; the value is the entry id. */
export function loreChoices(ctx: AppContext, guildId: string | null, typed: string, kinds?: readonly LoreKind[]) {
  const entries = normalize(typed)
    ? ctx.lore.search(typed, { guildId, limit: MAX_CHOICES, ...(kinds ? { kinds } : {}) }).map((hit) => hit.entry)
    : ctx.lore.index.page(guildId, kinds, { offset: 0, limit: MAX_CHOICES }).items;
  return entries.map(
    (entry): APIApplicationCommandOptionChoice<string> => ({
      name: truncate(choiceLabel(entry, kinds), 100),
      value: entry.id,
    }),
  );
}

export async function respondWithLoreChoices(
  interaction: AutocompleteInteraction,
  ctx: AppContext,
  kinds?: readonly LoreKind[],
): Promise<void> {
  const typed = String(interaction.options.getFocused() ?? "");
  await interaction.respond(loreChoices(ctx, interaction.guildId, typed, kinds));
}

function choiceLabel(entry: LoreHeader, kinds?: readonly LoreKind[]): string {
  if (entry.kind === "faction" && kinds?.length === 1) return `${entry.name} — ${standingText(entry).split(" — ")[0]}`;
  return `${entry.name} · ${KIND_LABELS[entry.kind]}`;
}

/**
 * Answers a lookup. Autocomplete is only a suggestion, so the value is re-resolved: an id this server may see, or
 * free text. A sure match is shown publicly; anything less gets an ephemeral "did you mean" menu.
 */
export async function answerLookup(
  interaction: ChatInputCommandInteraction,
  ctx: AppContext,
  input: string,
  kinds: readonly LoreKind[] | undefined,
  noun: string,
): Promise<void> {
  const guildId = interaction.guildId;
  const direct = ctx.lore.visible(input, guildId, kinds);
  if (direct) {
    await send(interaction, { embeds: [await entryCard(ctx, direct, guildId)] });
    return;
  }
  if (!normalize(input))
    throw new UserError(
      "empty-query",
      `Type a ${noun} name to look up, for example \`kdf\` or \`Treaty of Alliance\`.`,
    );

  // A suggestion's label typed back as text ("Klingon Empire — Member", "Qo'noS · Place") means its name.
  const label = /^(.+?)\s+(?:—|·)\s+[^—·]+$/.exec(input)?.[1];
  const labelled = label ? ctx.lore.resolve(label, guildId, kinds) : undefined;
  const resolution = labelled?.kind === "found" ? labelled : ctx.lore.resolve(input, guildId, kinds);
  const quoted = quoteInput(input);
  if (resolution.kind === "found") {
    await send(interaction, { embeds: [await entryCard(ctx, resolution.entry, guildId)] });
    return;
  }
  const choices = resolution.kind === "ambiguous" ? resolution.candidates : resolution.suggestions;
  if (choices.length === 0)
    throw new UserError(
      "no-match",
      `Nothing in the lore matches “${quoted}”. Try \`/lore search\`, or \`/faction list\` to browse the factions.`,
    );
  const content =
    resolution.kind === "ambiguous"
      ? `“${quoted}” matches more than one ${noun}. Which one do you mean?`
      : `No ${noun} is called “${quoted}”. Did you mean one of these?`;
  await send(interaction, {
    content,
    components: [pickMenu(interaction.user.id, await ctx.lore.briefs(choices), "public")],
    ephemeral: true,
  });
}

type PickMode = "public" | "private";

/** A select menu of entries; picking one shows it (publicly for a lookup, privately inside search results). */
export function pickMenu(ownerId: string, entries: readonly LoreBrief[], mode: PickMode) {
  const menu = new StringSelectMenuBuilder()
    .setCustomId(`${LORE_PICK_PREFIX}:${ownerId}:${mode}`)
    .setPlaceholder("Choose an entry")
    .addOptions(
      entries.slice(0, MAX_CHOICES).map((entry) => ({
        label: truncate(entry.name, 100),
        description: truncate(`${KIND_LABELS[entry.kind]} · ${entry.summary}`, 100),
        value: entry.id,
      })),
    );
  return new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(menu);
}

export async function handleLorePick(
  interaction: MessageComponentInteraction | ModalSubmitInteraction,
  args: string[],
  ctx: AppContext,
): Promise<void> {
  if (!interaction.isStringSelectMenu())
    throw new UserError("stale-component", "This menu no longer works. Run the command again.");
  const [ownerId, mode] = args;
  if (interaction.user.id !== ownerId)
    throw new UserError(
      "not-yours",
      "This menu belongs to the member who asked. Run the command yourself to get your own.",
    );
  const entry = ctx.lore.visible(interaction.values[0] ?? "", interaction.guildId);
  if (!entry) throw new UserError("entry-gone", "That entry is no longer in the lore. Run the command again.");
  const embed = await entryCard(ctx, entry, interaction.guildId);
  if (mode === "private") {
    await update(interaction, { embeds: [embed], components: [] });
    return;
  }
  await update(interaction, { content: `Showing **${quoteInput(entry.name)}** below.`, components: [] });
  await send(interaction, { embeds: [embed] });
}
