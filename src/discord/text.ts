import { escapeMarkdown } from "discord.js";

// Member text echoed back must never ping (allowed mentions already forbid it), never break the layout and never
// smuggle markdown or invisible characters into what looks like the bot's own words.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

/** Member input quoted inside a bot message: one line, shortened, markdown and mentions made inert. */
export function quoteInput(text: string, max = 80): string {
  const flat = text.replace(CONTROL, "").replace(/\s+/g, " ").trim();
  const short = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return neutralizeMentions(escapeMarkdown(short));
}

/** "@everyone", "<@123>" and friends shown as text: a zero-width joiner breaks Discord's mention parsing. */
export function neutralizeMentions(text: string): string {
  return text.replace(/@(everyone|here)/gi, "@\u2060$1").replace(/<(@[!&]?|#)(\d+)>/g, "<$1\u2060$2>");
}

/** Cuts at a word boundary when possible, leaving room for the ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}
