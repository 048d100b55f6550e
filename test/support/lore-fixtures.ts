import type { LoreEntry } from "../../src/lore/model.js";

let next = 0;

/** A lore entry with sensible defaults, shaped like those the store returns. */
export function loreEntry(overrides: Partial<LoreEntry> & Pick<LoreEntry, "name">): LoreEntry {
  next += 1;
  return {
    id: `e${next}`,
    scope: "canon",
    slug: overrides.name.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    kind: "faction",
    aliases: [],
    tags: [],
    quadrants: ["alpha"],
    standing: "member",
    summary: `${overrides.name} summary.`,
    body: "",
    details: { relations: [], events: [] },
    sources: [],
    sourceFile: null,
    ...overrides,
  };
}
