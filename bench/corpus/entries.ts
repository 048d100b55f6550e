import path from "node:path";
import { readLoreFolder } from "../../src/lore/lore-files.js";
import { CANON_SCOPE, type LoreDraft, type LoreEntry } from "../../src/lore/model.js";
import { normalize } from "../../src/lore/normalize.js";
import { ROOT } from "../lib/paths.js";
import { Prng } from "../lib/prng.js";
import { syntheticDrafts } from "./synthetic.js";

/** The server the synthetic lore belongs to (a server's own lore, visible there together with the canon). */
export const BENCH_GUILD_ID = "900000000000000001";
const SEED = 0x6b686974; // "khit"

export function canonDrafts(dir = path.join(ROOT, "data")): LoreDraft[] {
  const folder = readLoreFolder(dir);
  if (folder.problems.length > 0)
    throw new Error(`canon lore in ${dir} is invalid: ${JSON.stringify(folder.problems[0])}`);
  return folder.drafts;
}

/** Entries as the store would return them, with stable ids (the index keys on ids). */
export function asEntries(drafts: readonly LoreDraft[], scope: string, idPrefix: string): LoreEntry[] {
  return drafts.map((draft, i) => ({ ...draft, id: `${idPrefix}${i}`, scope }));
}

/**
 * The synthetic part: depends only on the seed and the size, so a run at 10k asks the same questions of the same
 * data on every commit, and the store the bots load holds exactly the entries the queries were built from.
 */
export function syntheticLore(size: number, options: { kind?: "faction" } = {}): LoreDraft[] {
  return syntheticDrafts(new Prng(SEED + size), size, {
    ...(options.kind ? { kind: options.kind } : {}),
    taken: canonDrafts().map((draft) => normalize(draft.name)),
  });
}

/** The canon plus `size` synthetic entries of the bench server, as the store would return them. */
export function corpus(size: number, options: { kind?: "faction" } = {}): LoreEntry[] {
  return [
    ...asEntries(canonDrafts(), CANON_SCOPE, "canon-"),
    ...asEntries(syntheticLore(size, options), BENCH_GUILD_ID, "syn-"),
  ];
}
