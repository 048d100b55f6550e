import { InteractionContextType, SlashCommandBuilder } from "discord.js";
import type { CommandModule } from "../src/discord/command-module.js";
import {
  answerLookup,
  handleLorePick,
  LORE_PICK_PREFIX,
  loreChoices,
  pickMenu,
  respondWithLoreChoices,
} from "../src/discord/lore-lookup.js";
import { searchResultsEmbed } from "../src/discord/render/lore-embeds.js";
import { send } from "../src/discord/reply.js";
import { quoteInput } from "../src/discord/text.js";
import { UserError } from "../src/errors.js";
import { normalize } from "../src/lore/normalize.js";

const RESULTS = 10;

const data = new SlashCommandBuilder()
  .setName("lore")
  .setDescription("Search the lore: factions, treaties, conflicts, people, places and ships")
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((sub) =>
    sub
      .setName("search")
      .setDescription("Search every lore entry by name, alias or words of its summary")
      .addStringOption((option) =>
        option
          .setName("query")
          .setDescription("What to look for")
          .setRequired(true)
          .setMaxLength(100)
          .setAutocomplete(true),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("show")
      .setDescription("Show one lore entry")
      .addStringOption((option) =>
        option
          .setName("entry")
          .setDescription("Entry name or alias")
          .setRequired(true)
          .setMaxLength(100)
          .setAutocomplete(true),
      ),
  )
  .toJSON();

export const lore: CommandModule = {
  data,
  async execute(interaction, ctx) {
    switch (interaction.options.getSubcommand()) {
      case "show":
        return answerLookup(interaction, ctx, interaction.options.getString("entry", true), undefined, "entry");
      case "search": {
        const query = interaction.options.getString("query", true);
        if (!normalize(query))
          throw new UserError("empty-query", "Type some words to search for, for example `treaty` or `Qo'noS`.");
        const hits = ctx.lore.search(query, { guildId: interaction.guildId, limit: RESULTS, fullText: true });
        if (hits.length === 0)
          throw new UserError(
            "no-match",
            `Nothing in the lore matches “${quoteInput(query)}”. Try fewer or other words.`,
          );
        const entries = await ctx.lore.briefs(hits.map((hit) => hit.entry));
        await send(interaction, {
          embeds: [searchResultsEmbed(quoteInput(query), entries)],
          components: [pickMenu(interaction.user.id, entries, "private")],
          ephemeral: true,
        });
        return;
      }
      default:
        throw new UserError("unknown-subcommand", "That part of /lore does not exist any more. Try `/help`.");
    }
  },
  async autocomplete(interaction, ctx) {
    if (interaction.options.getSubcommand() === "show") return respondWithLoreChoices(interaction, ctx);
    // For a search the value is text to search for, so offer names rather than ids.
    const choices = loreChoices(ctx, interaction.guildId, String(interaction.options.getFocused() ?? ""));
    await interaction.respond(
      choices.map((choice) => ({
        name: choice.name,
        value: ctx.lore.index.get(choice.value)?.name.slice(0, 100) ?? choice.name,
      })),
    );
  },
  components: { [LORE_PICK_PREFIX]: handleLorePick },
};
