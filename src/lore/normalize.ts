// Players type "fekihri", "mokai", "qonos": apostrophes, dots, accents and case must never stand between a
// member and an entry. Every key and every query goes through the same normalization.

const DROPPED = /['’‘`´ʼʻ.]/g;
const SEPARATORS = /[^a-z0-9]+/g;

const NOT_ASCII = /[\u0080-\uffff]/;

export function normalize(text: string): string {
  // ASCII text has nothing to decompose and no marks: skip two passes that copy every name, alias and summary.
  const plain = NOT_ASCII.test(text) ? text.normalize("NFKD").replace(/\p{M}/gu, "") : text;
  return plain.toLowerCase().replace(DROPPED, "").replace(SEPARATORS, " ").trim();
}

/**
 * normalize(text).split(" "), the empty word of empty text aside, without the four copies of the whole text on the
 * way: a load indexes the words of 100,000 summaries.
 */
export function normalizedWords(text: string): string[] {
  if (NOT_ASCII.test(text))
    return normalize(text)
      .split(" ")
      .filter((word) => word !== "");
  const lower = text.toLowerCase();
  const words: string[] = [];
  let start = 0;
  let dropped = false;
  for (let i = 0; i <= lower.length; i += 1) {
    const c = i < lower.length ? lower.charCodeAt(i) : SPACE;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) continue;
    if (c === APOSTROPHE || c === BACKTICK || c === DOT) {
      dropped = true;
      continue;
    }
    // A separator: the run before it is a word, less the characters normalize drops.
    if (i > start) {
      const word = dropped ? lower.slice(start, i).replace(DROPPED, "") : lower.slice(start, i);
      if (word !== "") words.push(word);
    }
    start = i + 1;
    dropped = false;
  }
  return words;
}

const SPACE = 32;
const APOSTROPHE = 39;
const BACKTICK = 96;
const DOT = 46;

/** "kazon ogla" → "kazonogla": lets "deepspace9" or "jem hadar" meet "Deep Space 9" and "Jem'Hadar". */
export function compact(normalized: string): string {
  return normalized.replace(/ /g, "");
}

export function slugify(text: string): string {
  return normalize(text).replace(/ /g, "-").slice(0, 80).replace(/-+$/, "");
}

/** Trigrams of a normalized key, padded so that word starts weigh in. */
export function trigrams(normalized: string): string[] {
  const padded = `  ${normalized} `;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i += 1) grams.add(padded.slice(i, i + 3));
  return [...grams];
}
