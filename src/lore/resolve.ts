import type { LoreHeader } from "./model.js";
import { normalize } from "./normalize.js";
import type { MatchTier, SearchHit } from "./search-index.js";

/**
 * What a free-text lookup means: one entry we are sure of, several equally good ones (the member picks),
 * or nothing good (the member gets the closest entries as "did you mean"). Never a confident wrong answer.
 */
export type Resolution =
  | { kind: "found"; entry: LoreHeader }
  | { kind: "ambiguous"; candidates: LoreHeader[] }
  | { kind: "none"; suggestions: LoreHeader[] };

const STRONG: readonly MatchTier[] = ["prefix", "word", "word-prefix", "compact"];
/** A misspelling is taken as meant only when it is this good and clearly ahead of the next entry. */
const CONFIDENT_FUZZY_SCORE = 0.5;
const CLEAR_MARGIN = 0.08;
const MAX_CHOICES = 25;
const MAX_SUGGESTIONS = 5;

export function resolveQuery(hits: readonly SearchHit[]): Resolution {
  const [top, second] = hits;
  if (!top) return { kind: "none", suggestions: [] };

  if (top.tier === "exact") {
    const exact = hits.filter((hit) => hit.tier === "exact");
    if (exact.length > 1) return ambiguous(exact);
    // A one-word name that is also a word of a sibling's name ("Kazon" and "Kazon-Ogla") is a real ambiguity; a
    // longer name typed in full ("Klingon Empire", not "Klingon Empire Rebels") is not, and an alias is curated
    // to point at one entry ("KDF", "Klingon"), so both stay confident.
    if (top.viaName && !normalize(top.matched).includes(" ")) {
      const siblings = hits.filter((hit) => hit !== top && hit.wholeWord && hit.entry.kind === top.entry.kind);
      if (siblings.length > 0) return ambiguous([top, ...siblings]);
    }
    return { kind: "found", entry: top.entry };
  }

  if (STRONG.includes(top.tier)) {
    const strong = hits.filter((hit) => STRONG.includes(hit.tier));
    return strong.length === 1 ? { kind: "found", entry: top.entry } : ambiguous(strong);
  }

  if (
    top.tier === "fuzzy" &&
    top.score >= CONFIDENT_FUZZY_SCORE &&
    (!second || top.score - second.score >= CLEAR_MARGIN)
  )
    return { kind: "found", entry: top.entry };

  return { kind: "none", suggestions: hits.slice(0, MAX_SUGGESTIONS).map((hit) => hit.entry) };
}

function ambiguous(hits: readonly SearchHit[]): Resolution {
  return { kind: "ambiguous", candidates: hits.slice(0, MAX_CHOICES).map((hit) => hit.entry) };
}
