// Terminal layout for rendered Discord messages. Frames need the width a string takes on screen, which is not its
// length: mentions are broken with invisible joiners, and emoji or CJK text takes two columns.

// biome-ignore lint/suspicious/noMisleadingCharacterClass: these are zero-width code points, listed one by one on purpose.
const ZERO_WIDTH = /[\u0300-\u036f\u200b-\u200f\u2060-\u2064\ufe00-\ufe0f\ufeff]/u;
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;

/** Columns a single line occupies in a terminal (an estimate good for Latin text, emoji and CJK). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    if (ZERO_WIDTH.test(char)) continue;
    width += WIDE.test(char) ? 2 : 1;
  }
  return width;
}

export function padEnd(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

/** Cuts a line to `width` columns, marking the cut with an ellipsis. */
export function clip(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = "";
  for (const char of text) {
    if (displayWidth(`${out}${char}`) > width - 1) break;
    out += char;
  }
  return `${out}…`;
}

/**
 * Word-wraps text to `width` columns. Existing line breaks are kept (Discord shows them); a word longer than a
 * line is broken hard. A leading bullet or indent is repeated as hanging indent so lists stay readable.
 */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (displayWidth(line) <= width) {
      out.push(line);
      continue;
    }
    const hanging = " ".repeat(
      Math.min(displayWidth(/^(\s*(?:(?:[•*-]|\d+\.)\s+)?)/.exec(line)?.[1] ?? ""), width / 2),
    );
    let current = "";
    for (const word of line.split(/(?<=\S)\s+(?=\S)/)) {
      const candidate = current ? `${current} ${word}` : word;
      if (displayWidth(candidate) <= width) {
        current = candidate;
        continue;
      }
      if (current) out.push(current);
      current = hanging + word;
      while (displayWidth(current) > width) {
        const head = clipExact(current, width);
        out.push(head);
        current = hanging + current.slice(head.length);
      }
    }
    out.push(current);
  }
  return out;
}

/** The longest prefix of `text` that fits in `width` columns (at least one character). */
function clipExact(text: string, width: number): string {
  let out = "";
  for (const char of text) {
    if (out && displayWidth(out + char) > width) break;
    out += char;
  }
  return out;
}
