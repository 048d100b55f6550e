// Splits a console line into words the way a shell would, but keeps Discord's `option:value` shape visible:
// `name:"Treaty of Alliance"` is one word with a key, `"a:b"` is plain text because it was quoted from the start.

export interface Word {
  /** Option name for `key:value` words. */
  key?: string;
  value: string;
  /** True when any part was quoted: quoted text is never read as a key. */
  quoted: boolean;
  /** True when the word ends inside quotes, so a final `?` there is text, not a request for suggestions. */
  endsQuoted: boolean;
}

export type Tokenized = { ok: true; words: Word[] } | { ok: false; message: string };

const KEY = /^(\p{Ll}[\p{Ll}\p{N}_-]*):/u;

export function tokenize(line: string): Tokenized {
  const words: Word[] = [];
  let index = 0;
  while (index < line.length) {
    while (index < line.length && /\s/.test(line[index] ?? "")) index++;
    if (index >= line.length) break;
    let key: string | undefined;
    const keyMatch = KEY.exec(line.slice(index));
    if (keyMatch?.[1]) {
      key = keyMatch[1];
      index += keyMatch[0].length;
    }
    let value = "";
    let quoted = false;
    let endsQuoted = false;
    while (index < line.length && !/\s/.test(line[index] ?? "")) {
      const char = line[index] ?? "";
      if (char === '"' || char === "'" || char === "“") {
        // An apostrophe inside a word (Qo'noS) is text; quotes only open at the start of a word or value.
        if (char === "'" && value !== "") {
          value += char;
          index++;
          continue;
        }
        const close = char === "“" ? "”" : char;
        const end = findClose(line, index + 1, close);
        if (end < 0) return { ok: false, message: `Missing closing ${close} in: ${line.slice(index)}` };
        value += unescapeQuoted(line.slice(index + 1, end));
        quoted = true;
        endsQuoted = true;
        index = end + 1;
        continue;
      }
      endsQuoted = false;
      if (char === "\\" && index + 1 < line.length) {
        value += line[index + 1];
        index += 2;
        continue;
      }
      value += char;
      index++;
    }
    words.push({ ...(key !== undefined ? { key } : {}), value, quoted, endsQuoted });
  }
  return { ok: true, words };
}

function findClose(line: string, from: number, close: string): number {
  for (let index = from; index < line.length; index++) {
    if (line[index] === "\\") index++;
    else if (line[index] === close) return index;
  }
  return -1;
}

function unescapeQuoted(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}
