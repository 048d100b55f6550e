import type {
  APIApplicationCommandOptionChoice,
  APIEmbed,
  APIMessageTopLevelComponent,
  APISelectMenuOption,
} from "discord.js";
import { type MarkupOptions, type NameDirectory, renderMarkup } from "./discord-markup.js";
import { type Control, optionLetter, renderComponents } from "./render-components.js";
import { renderEmbed } from "./render-embed.js";
import { clip, displayWidth, wrap } from "./text-layout.js";

/** The parts of a message (or of a reply the bot sent) that a member sees. */
export interface MessageView {
  content?: string;
  embeds?: readonly APIEmbed[];
  components?: readonly APIMessageTopLevelComponent[];
  attachments?: readonly { filename: string; size?: number }[];
}

export interface RenderOptions {
  width: number;
  names: NameDirectory;
  markup?: MarkupOptions;
  /** Number of the first button or menu; see Control. */
  firstNumber?: number;
}

export interface RenderedMessage {
  lines: string[];
  controls: Control[];
}

/** `── reply (only you can see this) ─────` */
export function heading(label: string, width: number): string {
  const text = `── ${label} `;
  return text + "─".repeat(Math.max(3, width - displayWidth(text)));
}

/** A message as a member sees it: a heading with what it is, its text, embeds, buttons and menus, files. */
export function renderMessage(message: MessageView, label: string, options: RenderOptions): RenderedMessage {
  const lines = [heading(label, options.width)];
  if (message.content) lines.push(...wrap(renderMarkup(message.content, options.names, options.markup), options.width));
  for (const embed of message.embeds ?? []) lines.push(...renderEmbed(embed, options));
  const components = renderComponents(message.components ?? [], { ...options, firstNumber: options.firstNumber ?? 1 });
  lines.push(...components.lines);
  for (const file of message.attachments ?? [])
    lines.push(`📎 ${file.filename}${file.size !== undefined ? ` (${formatSize(file.size)})` : ""}`);
  if (lines.length === 1) lines.push("(empty message)");
  return { lines, controls: components.controls };
}

/** Autocomplete suggestions as Discord lists them above the input box, numbered for `use N`. */
export function renderChoices(choices: readonly APIApplicationCommandOptionChoice[], width: number): string[] {
  if (choices.length === 0) return ["(no suggestions)"];
  const digits = String(choices.length).length;
  return choices.map((choice, index) => clip(`${String(index + 1).padStart(digits)}. ${choice.name}`, width));
}

/** One input of a form (modal): a text box or a menu, with what the Discord client enforces before sending. */
export interface FormField {
  customId: string;
  label: string;
  description?: string;
  kind: "text" | "select";
  required: boolean;
  paragraph: boolean;
  placeholder?: string;
  value?: string;
  minLength?: number;
  maxLength?: number;
  options: APISelectMenuOption[];
  minValues: number;
  maxValues: number;
}

/** The form's title and its fields, numbered in the order the console will ask for them. */
export function renderForm(title: string, fields: readonly FormField[], width: number): string[] {
  const lines = [heading(`form "${title}"`, width)];
  for (const [index, field] of fields.entries()) {
    const limits = [
      field.required ? "required" : "optional",
      field.paragraph ? "several lines: type \\n for a line break" : undefined,
      field.maxLength !== undefined ? `up to ${field.maxLength} characters` : undefined,
      field.minLength ? `at least ${field.minLength}` : undefined,
      field.kind === "select" && (field.minValues !== 1 || field.maxValues !== 1)
        ? `choose ${field.minValues}–${field.maxValues}`
        : undefined,
    ].filter(Boolean);
    lines.push(clip(`${index + 1}. ${field.label} (${limits.join(", ")})`, width));
    if (field.description) lines.push(...wrap(field.description, width - 3).map((line) => `   ${line}`));
    if (field.placeholder) lines.push(clip(`   e.g. ${field.placeholder}`, width));
    if (field.value) lines.push(clip(`   prefilled: ${field.value}`, width));
    field.options.forEach((option, optionIndex) => {
      lines.push(clip(`   ${optionLetter(optionIndex)}) ${option.label}`, width));
    });
  }
  return lines;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
