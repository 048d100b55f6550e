import { describe, expect, it } from "vitest";
import { headerOf } from "../../src/lore/model.js";
import { resolveQuery } from "../../src/lore/resolve.js";
import { LoreIndex } from "../../src/lore/search-index.js";
import { loreEntry } from "../support/lore-fixtures.js";

function indexOf(...entries: ReturnType<typeof loreEntry>[]) {
  const index = new LoreIndex();
  for (const entry of entries) index.upsert(entry);
  return index;
}

const klingon = loreEntry({ name: "Klingon Empire", aliases: ["KDF", "Klingon"] });
const rebels = loreEntry({ name: "Klingon Empire Rebels" });
const kazon = loreEntry({ name: "Kazon" });
const ogla = loreEntry({ name: "Kazon-Ogla" });
const collective = loreEntry({ name: "Borg Collective" });
const kingdom = loreEntry({ name: "Borg Kingdom" });
const fek = loreEntry({ name: "Fek'Ihri Horde", aliases: ["Fek'lhri"] });
const qonos = loreEntry({
  name: "Qo'noS",
  kind: "place",
  standing: null,
  quadrants: [],
  summary: "The Klingon homeworld.",
});
const index = indexOf(klingon, rebels, kazon, ogla, collective, kingdom, fek, qonos);
const resolve = (q: string) => resolveQuery(index.search(q, { guildId: null, kinds: ["faction"] }));

describe("LoreIndex.search", () => {
  it("ignores case, accents and apostrophes", () => {
    expect(index.search("QÓNOS", { guildId: null })[0]?.entry.id).toBe(qonos.id);
    expect(index.search("fekihri", { guildId: null })[0]?.entry.id).toBe(fek.id);
  });

  it("ranks an exact alias first", () => {
    expect(index.search("kdf", { guildId: null })[0]).toMatchObject({
      entry: { id: klingon.id },
      tier: "exact",
      matched: "KDF",
    });
  });

  it("finds a prefix as typed", () => {
    expect(index.search("klingon emp", { guildId: null }).map((h) => h.entry.id)).toEqual([klingon.id, rebels.id]);
  });

  it("finds a misspelling", () => {
    expect(index.search("klingin empire", { guildId: null })[0]?.entry.id).toBe(klingon.id);
  });

  it("filters by kind", () => {
    expect(index.search("qonos", { guildId: null, kinds: ["faction"] })).toEqual([]);
  });

  it("with full text, also finds entries whose summary has the words", () => {
    expect(index.search("homeworld", { guildId: null }).map((h) => h.entry.id)).toEqual([]);
    expect(index.search("homeworld", { guildId: null, fullText: true }).map((h) => h.entry.id)).toEqual([qonos.id]);
  });

  it("never shows one server's entries to another", () => {
    const house = loreEntry({ name: "House of Duras Reborn", scope: "111111111111111111" });
    const local = indexOf(klingon, house);
    expect(local.search("duras", { guildId: "111111111111111111" }).map((h) => h.entry.id)).toEqual([house.id]);
    expect(local.search("duras", { guildId: "222222222222222222" })).toEqual([]);
    expect(local.search("duras", { guildId: null })).toEqual([]);
  });

  it("updates incrementally: an edited entry is found by its new name only, a removed one not at all", () => {
    const local = indexOf(klingon, rebels);
    local.upsert({ ...rebels, name: "Klingon Dissidents" });
    expect(local.search("rebels", { guildId: null })).toEqual([]);
    expect(local.search("dissidents", { guildId: null })[0]?.entry.id).toBe(rebels.id);
    local.remove(klingon.id);
    expect(local.search("kdf", { guildId: null })).toEqual([]);
    expect(local.size).toBe(1);
  });
});

describe("resolveQuery", () => {
  it("given an alias, is sure", () => {
    expect(resolve("KDF")).toEqual({ kind: "found", entry: headerOf(klingon) });
    expect(resolve("klingon")).toEqual({ kind: "found", entry: headerOf(klingon) });
  });

  it("given a name that is also a word of a sibling's name, lists both", () => {
    expect(resolve("kazon")).toEqual({ kind: "ambiguous", candidates: [headerOf(kazon), headerOf(ogla)] });
  });

  it("given a word shared by several names, lists every match", () => {
    const result = resolve("borg");
    expect(result.kind).toBe("ambiguous");
    expect(result.kind === "ambiguous" && result.candidates).toEqual(
      expect.arrayContaining([headerOf(collective), headerOf(kingdom)]),
    );
  });

  it("given a clear misspelling, is sure", () => {
    expect(resolve("klingon empyre")).toEqual({ kind: "found", entry: headerOf(klingon) });
  });

  it("given nonsense, suggests instead of answering", () => {
    expect(resolve("zzyzx")).toEqual({ kind: "none", suggestions: [] });
    const vague = resolve("emperor");
    expect(vague.kind).not.toBe("found");
  });
});
