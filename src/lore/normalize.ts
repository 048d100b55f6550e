// Players type "fekihri", "mokai", "qonos": apostrophes, dots, accents and case must never stand between a
// member and an entry. Every key and every query goes through the same normalization.

const DROPPED = /['’‘`´ʼʻ.]/g;
const SEPARATORS = /[^a-z0-9]+/g;

export function normalize(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(DROPPED, "")
    .replace(SEPARATORS, " ")
    .trim();
}

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
