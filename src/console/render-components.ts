import {
  type APIButtonComponent,
  type APIComponentInContainer,
  type APIMessageTopLevelComponent,
  type APISelectMenuComponent,
  type APISelectMenuOption,
  ButtonStyle,
  ComponentType,
} from "discord.js";
import { type MarkupOptions, type NameDirectory, renderMarkup } from "./discord-markup.js";
import { colourLabel, frame } from "./render-embed.js";
import { clip, displayWidth, wrap } from "./text-layout.js";

/** A button or menu the member can use, numbered for `click N` / `pick N …`. */
export interface Control {
  number: number;
  customId: string;
  kind: "button" | "select";
  /** The component type: a string select or one of the member/role/channel menus. */
  componentType: ComponentType;
  label: string;
  disabled: boolean;
  /** String selects only: the options in the order shown (a, b, c…). */
  options: APISelectMenuOption[];
  minValues: number;
  maxValues: number;
}

export interface ComponentRenderOptions {
  width: number;
  names: NameDirectory;
  markup?: MarkupOptions;
  /** Number of the first control; numbering continues across the messages of one answer. */
  firstNumber: number;
}

export interface RenderedComponents {
  lines: string[];
  controls: Control[];
}

/** a, b, … z, then aa, ab: menus hold at most 25 options, so one letter nearly always does. */
export function optionLetter(index: number): string {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  return index < 26 ? (letters[index] ?? "?") : `${letters[Math.floor(index / 26) - 1] ?? "?"}${letters[index % 26]}`;
}

const SELECT_NOUNS: Partial<Record<ComponentType, string>> = {
  [ComponentType.StringSelect]: "menu",
  [ComponentType.UserSelect]: "member menu",
  [ComponentType.RoleSelect]: "role menu",
  [ComponentType.MentionableSelect]: "member or role menu",
  [ComponentType.ChannelSelect]: "channel menu",
};

/** Message components (action rows, and the layout components of Components V2) as text with numbered controls. */
export function renderComponents(
  components: readonly APIMessageTopLevelComponent[],
  options: ComponentRenderOptions,
): RenderedComponents {
  const controls: Control[] = [];
  const take = (control: Omit<Control, "number">): number => {
    const number = options.firstNumber + controls.length;
    controls.push({ ...control, number });
    return number;
  };
  const lines = components.flatMap((component) => renderComponent(component, options.width, options, take));
  return { lines, controls };
}

type Take = (control: Omit<Control, "number">) => number;

function renderComponent(
  component: APIMessageTopLevelComponent | APIComponentInContainer,
  width: number,
  options: ComponentRenderOptions,
  take: Take,
): string[] {
  const text = (value: string) => renderMarkup(value, options.names, options.markup);
  switch (component.type) {
    case ComponentType.ActionRow: {
      const buttons: string[] = [];
      const lines: string[] = [];
      for (const child of component.components) {
        if (child.type === ComponentType.Button) buttons.push(renderButton(child, take));
        else lines.push(...renderSelect(child, width, take));
      }
      return [...joinButtons(buttons, width), ...lines];
    }
    case ComponentType.TextDisplay:
      return wrap(text(component.content), width);
    case ComponentType.Section: {
      const body = component.components.flatMap((child) => wrap(text(child.content), width));
      const accessory = component.accessory;
      if (accessory.type === ComponentType.Button) return [...body, `  ${renderButton(accessory, take)}`];
      return [...body, `  [thumbnail: ${accessory.media.url}]`];
    }
    case ComponentType.Separator:
      return [component.divider === false ? "" : "─".repeat(Math.min(width, 40))];
    case ComponentType.MediaGallery:
      return component.items.map((item) => clip(`[image: ${item.description ?? item.media.url}]`, width));
    case ComponentType.File:
      return [clip(`[file: ${component.file.url}]`, width)];
    case ComponentType.Container: {
      const inner = component.components.flatMap((child) => renderComponent(child, width - 4, options, take));
      return frame(inner.length ? inner : [""], width, colourLabel(component.accent_color));
    }
    default:
      return [`[component type ${String((component as { type: number }).type)}]`];
  }
}

function renderButton(button: APIButtonComponent, take: Take): string {
  const emoji =
    "emoji" in button && button.emoji ? (button.emoji.id ? `:${button.emoji.name}:` : button.emoji.name) : "";
  const label = [emoji, "label" in button ? button.label : undefined].filter(Boolean).join(" ") || "(no label)";
  const disabled = button.disabled === true;
  const state = disabled ? " (disabled)" : "";
  if (button.style === ButtonStyle.Link) return `[↗ ${label}: ${button.url}]${state}`;
  if (button.style === ButtonStyle.Premium) return `[${label} (premium)]${state}`;
  const number = take({
    customId: button.custom_id,
    kind: "button",
    componentType: ComponentType.Button,
    label,
    disabled,
    options: [],
    minValues: 0,
    maxValues: 0,
  });
  return `[${number}] ${label}${button.style === ButtonStyle.Danger ? " (red)" : ""}${state}`;
}

/** Buttons of one row on one line, wrapped between buttons when the row is wider than the screen. */
function joinButtons(buttons: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const button of buttons) {
    const candidate = current ? `${current}  ${button}` : button;
    if (current && displayWidth(candidate) > width) {
      lines.push(current);
      current = button;
    } else current = candidate;
  }
  if (current) lines.push(current);
  return lines;
}

function renderSelect(select: APISelectMenuComponent, width: number, take: Take): string[] {
  const options = select.type === ComponentType.StringSelect ? select.options : [];
  const minValues = select.min_values ?? 1;
  const maxValues = select.max_values ?? 1;
  const disabled = select.disabled === true;
  const noun = SELECT_NOUNS[select.type] ?? "menu";
  const label = select.placeholder ?? noun;
  const number = take({
    customId: select.custom_id,
    kind: "select",
    componentType: select.type,
    label,
    disabled,
    options,
    minValues,
    maxValues,
  });
  const count = minValues === 1 && maxValues === 1 ? "" : ` (choose ${minValues}–${maxValues})`;
  const head = `[${number}] ${noun} "${label}"${count}${disabled ? " (disabled)" : ""}:`;
  if (select.type !== ComponentType.StringSelect) return [`${head} pick ${number} <name>`];
  return [
    head,
    ...options.map((option, index) => {
      const emoji = option.emoji?.name ? `${option.emoji.id ? `:${option.emoji.name}:` : option.emoji.name} ` : "";
      const description = option.description ? ` — ${option.description}` : "";
      const chosen = option.default ? " (selected)" : "";
      return clip(`    ${optionLetter(index)}) ${emoji}${option.label}${chosen}${description}`, width);
    }),
  ];
}
