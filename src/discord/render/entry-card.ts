import type { APIEmbed } from "discord.js";
import { UserError } from "../../errors.js";
import type { LoreHeader } from "../../lore/model.js";
import type { AppContext } from "../command-module.js";
import { serverFields } from "./faction-embeds.js";
import { fitEmbed, loreEmbed } from "./lore-embeds.js";

/** An entry's card as a server sees it: the lore, plus for a faction its roster size, leaders and notes here. */
export async function entryCard(ctx: AppContext, header: LoreHeader, guildId: string | null): Promise<APIEmbed> {
  const entry = await ctx.lore.entry(header);
  if (!entry) throw new UserError("entry-gone", "That entry is no longer in the lore.");
  const embed = loreEmbed(entry, ctx.lore, guildId);
  if (entry.kind !== "faction" || !guildId) return embed;
  const faction = await ctx.factions.forEntry(guildId, entry);
  if (!faction) return embed;
  const card = await ctx.factions.card(faction);
  const base = faction.canonSlug && !faction.isCanon ? ctx.lore.bySlug(faction.canonSlug, null) : undefined;
  const fields = [...(embed.fields ?? [])];
  if (base) fields.unshift({ name: "Based on", value: base.name, inline: true });
  fields.push(...serverFields(card));
  if (faction.id) {
    const standings = await ctx.treaties.standingsOf(guildId, faction.id);
    if (standings.length > 0)
      fields.push({
        name: "Standings on this server",
        value: standings
          .map((s) => `• ${s.text}`)
          .join("\n")
          .slice(0, 1024),
        inline: false,
      });
  }
  return fitEmbed({
    ...embed,
    ...(faction.color !== null ? { color: faction.color } : {}),
    fields: fields.slice(0, 25),
  });
}
