import type { APIEmbed, APIEmbedField } from "discord.js";
import { type MarkupOptions, type NameDirectory, renderMarkup } from "./discord-markup.js";
import { clip, displayWidth, padEnd, wrap } from "./text-layout.js";

export interface FrameOptions {
  /** Total columns of the frame, borders included. */
  width: number;
  names: NameDirectory;
  markup?: MarkupOptions;
}

/** Colour as Discord's hex notation: the accent stripe a terminal cannot draw. */
export function colourLabel(color: number | null | undefined): string | undefined {
  return typeof color === "number" ? `#${color.toString(16).padStart(6, "0").toUpperCase()}` : undefined;
}

/** A box drawn around content lines, with an optional label in the top border (the embed's colour). */
export function frame(body: readonly string[], width: number, label?: string): string[] {
  const inner = width - 4;
  const top = label
    ? `╭─ ${label} ${"─".repeat(Math.max(0, width - displayWidth(label) - 5))}╮`
    : `╭${"─".repeat(width - 2)}╮`;
  const lines = body.map((line) => `│ ${padEnd(clip(line, inner), inner)} │`);
  return [top, ...lines, `╰${"─".repeat(width - 2)}╯`];
}

/** An embed as a framed box: author, title, description, fields, images, footer and timestamp. */
export function renderEmbed(embed: APIEmbed, options: FrameOptions): string[] {
  const inner = options.width - 4;
  const text = (value: string) => renderMarkup(value, options.names, options.markup);
  const sections: string[][] = [];
  const head: string[] = [];
  if (embed.author?.name) head.push(...wrap(text(embed.author.name), inner));
  if (embed.title) head.push(...wrap(text(embed.title), inner));
  if (embed.url) head.push(clip(embed.url, inner));
  if (head.length) sections.push(head);
  if (embed.description) sections.push(wrap(text(embed.description), inner));
  const fields = renderFields(embed.fields ?? [], inner, text);
  if (fields.length) sections.push(fields);
  const media = [
    embed.thumbnail?.url ? `[thumbnail: ${embed.thumbnail.url}]` : undefined,
    embed.image?.url ? `[image: ${embed.image.url}]` : undefined,
  ].filter((line): line is string => line !== undefined);
  if (media.length) sections.push(media.map((line) => clip(line, inner)));
  const foot = [
    embed.footer?.text ? text(embed.footer.text) : undefined,
    embed.timestamp ? isoToText(embed.timestamp) : undefined,
  ]
    .filter((part): part is string => part !== undefined)
    .join(" · ");
  if (foot) sections.push(wrap(foot, inner));
  const body = sections.flatMap((section, index) => (index === 0 ? section : ["", ...section]));
  return frame(body.length ? body : [""], options.width, colourLabel(embed.color));
}

/**
 * Fields as `Name: value` blocks. Discord puts up to three inline fields side by side; here that only happens
 * when every name and value is one short line, since wrapped columns are hard to read in a terminal.
 */
function renderFields(fields: readonly APIEmbedField[], width: number, text: (value: string) => string): string[] {
  const blocks: string[][] = [];
  let run: APIEmbedField[] = [];
  const flush = () => {
    if (run.length) blocks.push(...inlineBlocks(run, width, text));
    run = [];
  };
  for (const field of fields) {
    if (field.inline && run.length < 3) {
      run.push(field);
      continue;
    }
    flush();
    if (field.inline) run.push(field);
    else blocks.push(stackedField(field, width, text));
  }
  flush();
  const lines: string[] = [];
  for (const [index, block] of blocks.entries()) {
    const previous = blocks[index - 1];
    // A blank line around multi-line blocks keeps one field's bullets from running into the next field's name.
    if (previous && (block.length > 1 || previous.length > 1)) lines.push("");
    lines.push(...block);
  }
  return lines;
}

function inlineBlocks(run: readonly APIEmbedField[], width: number, text: (value: string) => string): string[][] {
  const gap = 3;
  const column = Math.floor((width - gap * (run.length - 1)) / run.length);
  const names = run.map((field) => text(field.name));
  const values = run.map((field) => text(field.value));
  const simple =
    run.length > 1 && [...names, ...values].every((value) => !value.includes("\n") && displayWidth(value) <= column);
  if (!simple) return run.map((field) => stackedField(field, width, text));
  const row = (cells: string[]) =>
    cells
      .map((cell, index) => (index === cells.length - 1 ? cell : padEnd(cell, column + gap)))
      .join("")
      .trimEnd();
  return [[row(names), row(values)]];
}

function stackedField(field: APIEmbedField, width: number, text: (value: string) => string): string[] {
  const name = text(field.name);
  const value = text(field.value);
  const oneLine = `${name}: ${value}`;
  if (!value.includes("\n") && displayWidth(oneLine) <= width) return [oneLine];
  return [`${name}:`, ...wrap(value, width - 2).map((line) => `  ${line}`)];
}

function isoToText(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date
        .toISOString()
        .replace("T", " ")
        .replace(/:\d\d\.\d+Z$/, " UTC");
}
