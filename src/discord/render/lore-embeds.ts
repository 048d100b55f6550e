import { type APIEmbed, type APIEmbedField, escapeMarkdown } from "discord.js";
import type { LoreService } from "../../lore/lore-service.js";
import {
  CANON_SCOPE,
  headerOf,
  KIND_LABELS,
  type LoreBrief,
  type LoreEntry,
  type LoreHeader,
  QUADRANT_LABELS,
  STANDING_LABELS,
  type Standing,
} from "../../lore/model.js";
import { neutralizeMentions, truncate } from "../text.js";

// Discord's embed limits: https://discord.com/developers/docs/resources/message#embed-object-embed-limits
const LIMITS = {
  title: 256,
  description: 4096,
  fieldName: 256,
  fieldValue: 1024,
  fields: 25,
  footer: 2048,
  total: 6000,
};

const STANDING_COLOURS: Record<Standing, number> = {
  member: 0x2ecc71,
  "delta-alliance-member": 0x1abc9c,
  friendly: 0x3498db,
  supportive: 0x5dade2,
  neutral: 0x95a5a6,
  antagonistic: 0xe67e22,
  "open-warfare": 0xe74c3c,
  "not-listed": 0x7f8c8d,
};
const LORE_COLOUR = 0xc9a227;

/** Lore text is shown as written (its markdown is intended) but can never mention anyone. */
const safe = (text: string) => neutralizeMentions(text);
const plain = (text: string) => neutralizeMentions(escapeMarkdown(text));

export function standingText(entry: Pick<LoreHeader, "standing" | "standingNote">): string {
  if (!entry.standing) return "—";
  const note = entry.standingNote;
  return note ? `${STANDING_LABELS[entry.standing]} — ${note}` : STANDING_LABELS[entry.standing];
}

export function quadrantText(entry: Pick<LoreHeader, "quadrants">): string {
  return entry.quadrants.map((q) => QUADRANT_LABELS[q]).join(", ") || "—";
}

/** The card for any lore entry; factions get their standing and quadrant, treaties their parties and terms. */
export function loreEmbed(entry: LoreEntry, lore: LoreService, guildId: string | null): APIEmbed {
  const fields: APIEmbedField[] = [];
  const name = (slug: string) => lore.bySlug(slug, guildId)?.name ?? slug;

  if (entry.kind === "faction") {
    fields.push({ name: "Quadrant", value: quadrantText(entry), inline: true });
    fields.push({ name: "Standing toward the Alliance", value: safe(standingText(headerOf(entry))), inline: true });
  } else {
    fields.push({ name: "Kind", value: KIND_LABELS[entry.kind], inline: true });
  }
  if (entry.aliases.length > 0)
    fields.push({ name: "Also known as", value: plain(entry.aliases.join(", ")), inline: false });
  if (entry.details.parties?.length)
    fields.push({ name: "Parties", value: plain(entry.details.parties.map(name).join(" · ")), inline: false });
  if (entry.details.signed) fields.push({ name: "Signed", value: safe(entry.details.signed), inline: true });
  if (entry.details.terms?.length) fields.push({ name: "Terms", value: bullets(entry.details.terms), inline: false });
  if (entry.details.relations.length > 0)
    fields.push({
      name: "Notable relations",
      value: bullets(entry.details.relations.map((r) => `**${plain(name(r.to))}** — ${r.note}`)),
      inline: false,
    });
  if (entry.kind === "faction") {
    const treaties = lore.treatiesOf(entry, guildId);
    if (treaties.length > 0)
      fields.push({
        name: "Treaties",
        value: bullets(treaties.map((t) => `${plain(t.name)}${t.signed ? ` (${t.signed})` : ""}`)),
        inline: false,
      });
  }
  if (entry.details.events.length > 0)
    fields.push({
      name: "Events",
      value: bullets(entry.details.events.map((e) => `**${plain(e.year)}** — ${e.text}`)),
      inline: false,
    });

  const description = entry.body ? `${entry.summary}\n\n${entry.body}` : entry.summary;
  return fitEmbed({
    title: truncate(plain(entry.name), LIMITS.title),
    description: truncate(safe(description), LIMITS.description),
    color: entry.standing ? STANDING_COLOURS[entry.standing] : LORE_COLOUR,
    fields: fields.map((f) => ({ ...f, value: truncateLines(safe(f.value), LIMITS.fieldValue) })),
    footer: { text: truncate(footerText(entry, lore), LIMITS.footer) },
  });
}

function footerText(entry: LoreEntry, lore: LoreService): string {
  const origin = entry.scope === CANON_SCOPE ? "Canon" : "This server's lore";
  const sources = entry.sources.map((key) => {
    const source = lore.source(key);
    return source ? `${source.site}, “${source.title}”` : key;
  });
  return sources.length > 0 ? `${origin} · Source: ${sources.join("; ")}` : origin;
}

export interface ListPage {
  title: string;
  entries: readonly LoreHeader[];
  page: number;
  pageCount: number;
  total: number;
  filterText: string;
}

export function factionListEmbed(list: ListPage): APIEmbed {
  const lines = list.entries.map((e) => `**${plain(e.name)}** — ${safe(standingText(e))} · ${quadrantText(e)}`);
  return fitEmbed({
    title: list.title,
    description:
      lines.length > 0 ? truncateLines(lines.join("\n"), LIMITS.description) : "No faction matches these filters.",
    color: LORE_COLOUR,
    footer: {
      text: `Page ${list.page + 1} of ${Math.max(1, list.pageCount)} · ${list.total} factions${list.filterText}`,
    },
  });
}

export function searchResultsEmbed(query: string, entries: readonly LoreBrief[]): APIEmbed {
  const lines = entries.map(
    (e, i) => `${i + 1}. **${plain(e.name)}** · ${KIND_LABELS[e.kind]} — ${safe(truncate(e.summary, 110))}`,
  );
  return fitEmbed({
    title: `Lore matching “${query}”`,
    description: truncateLines(lines.join("\n"), LIMITS.description),
    color: LORE_COLOUR,
    footer: { text: "Pick an entry below to read it." },
  });
}

function bullets(items: readonly string[]): string {
  return items.map((item) => `• ${item}`).join("\n");
}

/** Cuts a multi-line value at a line boundary so no bullet is left half-shown. */
function truncateLines(text: string, max: number): string {
  if (text.length <= max) return text;
  const lines = text.split("\n");
  const kept: string[] = [];
  let length = 0;
  const more = (n: number) => `…and ${n} more`;
  for (const [i, line] of lines.entries()) {
    if (length + line.length + 1 + more(lines.length - i).length > max) {
      kept.push(more(lines.length - i));
      return kept.join("\n");
    }
    kept.push(line);
    length += line.length + 1;
  }
  return kept.join("\n");
}

/** Drops trailing fields until the whole embed fits Discord's 6000-character total. */
export function fitEmbed(embed: APIEmbed): APIEmbed {
  const fields = [...(embed.fields ?? [])].slice(0, LIMITS.fields);
  const size = () =>
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  while (size() > LIMITS.total && fields.length > 0) fields.pop();
  return fields.length > 0 ? { ...embed, fields } : { ...embed, fields: [] };
}
