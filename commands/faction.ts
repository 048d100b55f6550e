import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  type ChatInputCommandInteraction,
  InteractionContextType,
  SlashCommandBuilder,
} from "discord.js";
import type { AppContext, CommandModule, ComponentHandler } from "../src/discord/command-module.js";
import { answerLookup, respondWithLoreChoices } from "../src/discord/lore-lookup.js";
import { factionListEmbed } from "../src/discord/render/lore-embeds.js";
import { send, update } from "../src/discord/reply.js";
import { UserError } from "../src/errors.js";
import {
  QUADRANT_LABELS,
  QUADRANTS,
  type Quadrant,
  STANDING_LABELS,
  STANDINGS,
  type Standing,
} from "../src/lore/model.js";
import { paginate } from "../src/lore/paging.js";

const PAGE_PREFIX = "faction-page";
const PAGE_SIZE = 10;
/** Page buttons stop working after this; the message keeps its last page. */
export const LIST_TTL_MS = 10 * 60_000;
const FACTION: ["faction"] = ["faction"];

const data = new SlashCommandBuilder()
  .setName("faction")
  .setDescription("Factions of the Khitomer Alliance and beyond")
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((sub) =>
    sub
      .setName("info")
      .setDescription("Show a faction: quadrant, standing toward the Alliance, relations and events")
      .addStringOption((option) =>
        option
          .setName("name")
          .setDescription("Faction name, alias or abbreviation (KDF, Feds, RSE...)")
          .setRequired(true)
          .setMaxLength(100)
          .setAutocomplete(true),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("list")
      .setDescription("List factions, optionally by quadrant or standing")
      .addStringOption((option) =>
        option
          .setName("quadrant")
          .setDescription("Only factions of this quadrant")
          .addChoices(QUADRANTS.map((q) => ({ name: QUADRANT_LABELS[q], value: q }))),
      )
      .addStringOption((option) =>
        option
          .setName("standing")
          .setDescription("Only factions with this standing toward the Alliance")
          .addChoices(STANDINGS.map((s) => ({ name: STANDING_LABELS[s], value: s }))),
      ),
  )
  .toJSON();

interface ListFilter {
  quadrant?: Quadrant;
  standing?: Standing;
}

function parseFilter(quadrant: string | null | undefined, standing: string | null | undefined): ListFilter {
  const filter: ListFilter = {};
  if (quadrant && (QUADRANTS as readonly string[]).includes(quadrant)) filter.quadrant = quadrant as Quadrant;
  if (standing && (STANDINGS as readonly string[]).includes(standing)) filter.standing = standing as Standing;
  return filter;
}

/** The page as a reply: embed plus Previous/Next buttons that carry everything needed to turn the page. */
function renderPage(
  ctx: AppContext,
  guildId: string | null,
  ownerId: string,
  filter: ListFilter,
  page: number,
  expiresAt: number,
) {
  const factions = ctx.lore.factions(guildId, filter);
  const slice = paginate(factions, page, PAGE_SIZE);
  const filterText = [
    filter.quadrant ? ` · ${QUADRANT_LABELS[filter.quadrant]}` : "",
    filter.standing ? ` · ${STANDING_LABELS[filter.standing]}` : "",
  ].join("");
  const embed = factionListEmbed({
    title: "Factions",
    entries: slice.items,
    page: slice.page,
    pageCount: slice.pageCount,
    total: factions.length,
    filterText,
  });
  if (slice.pageCount <= 1) return { embeds: [embed], components: [] };
  const id = (target: number) =>
    [PAGE_PREFIX, ownerId, target, filter.quadrant ?? "", filter.standing ?? "", expiresAt.toString(36)].join(":");
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(id(slice.page - 1))
      .setLabel("◀ Previous")
      .setStyle(ButtonStyle.Secondary)
      .setDisabled(slice.page === 0),
    new ButtonBuilder()
      .setCustomId(id(slice.page + 1))
      .setLabel("Next ▶")
      .setStyle(ButtonStyle.Secondary)
      .setDisabled(slice.page >= slice.pageCount - 1),
  );
  return { embeds: [embed], components: [row] };
}

async function list(interaction: ChatInputCommandInteraction, ctx: AppContext): Promise<void> {
  const filter = parseFilter(interaction.options.getString("quadrant"), interaction.options.getString("standing"));
  const expiresAt = ctx.clock.now().getTime() + LIST_TTL_MS;
  const page = renderPage(ctx, interaction.guildId, interaction.user.id, filter, 0, expiresAt);
  await send(interaction, page);
  if (page.components.length > 0) {
    // Take the buttons away when they expire, while the interaction token (15 minutes) still allows the edit.
    ctx.timers.after(
      LIST_TTL_MS,
      async () => {
        await interaction.editReply({ components: [] });
      },
      (error) => ctx.log.debug({ err: error }, "could not remove expired page buttons"),
    );
  }
}

const turnPage: ComponentHandler = async (interaction, args, ctx) => {
  const [ownerId = "", pageText = "0", quadrant, standing, expiresText = "0"] = args;
  if (interaction.user.id !== ownerId)
    throw new UserError(
      "not-yours",
      `Only <@${ownerId}> can turn these pages. Run \`/faction list\` to get your own list.`,
    );
  if (ctx.clock.now().getTime() > Number.parseInt(expiresText, 36)) {
    await update(interaction, { embeds: interaction.message?.embeds.map((e) => e.toJSON()) ?? [], components: [] });
    throw new UserError("expired", "This list has expired. Run `/faction list` again to browse.");
  }
  const page = Number.parseInt(pageText, 10);
  const filter = parseFilter(quadrant, standing);
  await update(
    interaction,
    renderPage(
      ctx,
      interaction.guildId,
      ownerId,
      filter,
      Number.isFinite(page) ? page : 0,
      Number.parseInt(expiresText, 36),
    ),
  );
};

export const faction: CommandModule = {
  data,
  async execute(interaction, ctx) {
    switch (interaction.options.getSubcommand()) {
      case "info":
        return answerLookup(interaction, ctx, interaction.options.getString("name", true), FACTION, "faction");
      case "list":
        return list(interaction, ctx);
      default:
        throw new UserError("unknown-subcommand", "That part of /faction does not exist any more. Try `/help`.");
    }
  },
  async autocomplete(interaction, ctx) {
    await respondWithLoreChoices(interaction, ctx, FACTION);
  },
  components: { [PAGE_PREFIX]: turnPage },
};
