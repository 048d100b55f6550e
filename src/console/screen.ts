import type { NameDirectory } from "./discord-markup.js";
import type { Control } from "./render-components.js";
import { heading, type MessageView, renderMessage } from "./render-message.js";

/** Where output goes; output that arrives while the member is typing is shown above the prompt. */
export interface Printer {
  print(lines: string | readonly string[]): void;
}

export interface ScreenControl extends Control {
  messageId: string;
}

export type ControlLookup = { ok: true; control: ScreenControl } | { ok: false; problem: string };

/**
 * What is on the member's screen: the numbered buttons and menus of the latest answer, and the messages that had
 * any, so that an older one can be brought back (`show m2`) and used, as scrolling up in Discord allows.
 */
export class Screen {
  private controls: ScreenControl[] = [];
  /** The next message with buttons or menus starts the numbering again at [1]. */
  private freshNumbering = true;
  private readonly tags = new Map<string, { tag: string; label: string }>();

  constructor(
    private readonly printer: Printer,
    readonly width: number,
  ) {}

  /** A new answer begins: its first buttons or menus replace those on screen, numbered from [1]. */
  newAnswer(): void {
    this.freshNumbering = true;
  }

  print(lines: string | readonly string[]): void {
    this.printer.print(lines);
  }

  /** Prints a message under its label; its buttons and menus get the next numbers, and the message a tag (m1…). */
  printMessage(
    message: MessageView | undefined,
    label: string,
    messageId: string | undefined,
    names: NameDirectory,
  ): void {
    const firstNumber = this.freshNumbering ? 1 : this.controls.length + 1;
    const rendered = renderMessage(message ?? {}, label, { width: this.width, names, firstNumber });
    if (rendered.controls.length > 0 && messageId) {
      if (this.freshNumbering) this.controls = [];
      this.freshNumbering = false;
      this.controls.push(...rendered.controls.map((control) => ({ ...control, messageId })));
      const known = this.tags.get(messageId) ?? { tag: `m${this.tags.size + 1}`, label };
      this.tags.set(messageId, { ...known, label });
      rendered.lines[0] = heading(`${label} · ${known.tag}`, this.width);
    }
    this.printer.print(rendered.lines);
  }

  control(number: number): ControlLookup {
    const control = this.controls.find((c) => c.number === number);
    if (control) return { ok: true, control };
    const shown = this.controls.map((c) => `[${c.number}] ${c.label}`).join("  ");
    return {
      ok: false,
      problem: shown ? `There is no [${number}]. On screen: ${shown}` : "There are no buttons or menus on screen.",
    };
  }

  /** Messages that had buttons or menus, oldest first: id, tag and the label they were shown under. */
  tagged(): { id: string; tag: string; label: string }[] {
    return [...this.tags].map(([id, entry]) => ({ id, ...entry }));
  }

  /** `m2` or `2`. */
  findTagged(which: string): { id: string; tag: string; label: string } | undefined {
    const wanted = which.toLowerCase().startsWith("m") ? which.toLowerCase() : `m${which}`;
    return this.tagged().find((entry) => entry.tag === wanted);
  }
}
