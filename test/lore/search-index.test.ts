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

  it("given thousands of names ending in a word, still finds the entry named just that word as exact", () => {
    const empires = Array.from({ length: 5000 }, (_, i) => loreEntry({ name: `Faction${i} Empire` }));
    const empire = loreEntry({ name: "Empire" });
    const local = indexOf(...empires, empire);
    expect(local.search("empire", { guildId: null })[0]).toMatchObject({ entry: { id: empire.id }, tier: "exact" });
  });

  it("given hundreds of names sharing long beginnings, finds each one exactly and by its prefix", () => {
    const names = Array.from({ length: 600 }, (_, i) => {
      const word = ["alpha", "alphabet", "alp", "al", "zeta"][i % 5];
      return `Klingon Empire Outpost ${word} ${(i * 7919) % 1000} ${i % 2 ? "station" : "st"}`;
    });
    const entries = names.map((name) => loreEntry({ name }));
    const local = indexOf(...entries.slice().reverse());
    for (const [i, entry] of entries.entries()) {
      if (i % 7 !== 0) continue;
      expect(local.search(entry.name, { guildId: null })[0], entry.name).toMatchObject({
        entry: { id: entry.id },
        tier: "exact",
      });
    }
    // Hundreds of prefix matches: more than the misspelling search could make up for a missorted suffix list.
    const prefixed = (q: string) =>
      local.search(q, { guildId: null, limit: 600 }).filter((hit) => hit.tier === "prefix").length;
    expect(prefixed("klingon empire outpost al")).toBe(480);
    expect(prefixed("klingon empire outpost alp")).toBe(360);
    expect(prefixed("klingon empire outpost alpha")).toBe(240);
    expect(prefixed("klingon empire outpost alphab")).toBe(120);
    expect(prefixed("klingon empire outpost zeta")).toBe(120);
  });

  it("answers the same whether entries came one by one between searches or all at once", () => {
    const entries = Array.from({ length: 300 }, (_, i) =>
      loreEntry({ name: `Vor${i} Hegemony`, aliases: [`V${i}H`, `Vor${i}`], summary: `Traders of sector ${i}.` }),
    );
    const bulk = indexOf(...entries);
    const oneByOne = new LoreIndex();
    for (const entry of entries) {
      oneByOne.upsert(entry);
      oneByOne.search(entry.name.slice(0, 4), { guildId: null });
    }
    for (const query of ["vor1", "vor12 hegemony", "v7h", "vro15", "hegemony", "traders sector"]) {
      const options = { guildId: null, fullText: true };
      expect(oneByOne.search(query, options), query).toEqual(bulk.search(query, options));
    }
  });

  it("after many removals compacts, and still finds what is left", () => {
    const entries = Array.from({ length: 2400 }, (_, i) => loreEntry({ name: `Ship${i} Armada` }));
    const local = indexOf(...entries);
    for (const entry of entries.slice(0, 1200)) local.remove(entry.id);
    expect(local.size).toBe(1200);
    const removed = new Set(entries.slice(0, 1200).map((entry) => entry.id));
    expect(local.search("ship5 armada", { guildId: null }).filter((hit) => removed.has(hit.entry.id))).toEqual([]);
    expect(local.search("ship1500 armada", { guildId: null })[0]?.entry.id).toBe(entries[1500]?.id);
    expect(local.get(entries[2000]?.id ?? "")?.name).toBe("Ship2000 Armada");
  });

  it("given more alias text than it indexes, finds the entry by name and keeps its neighbours intact", () => {
    const aliases = Array.from({ length: 120 }, (_, i) => `${"Alias".repeat(19)} ${i}`);
    const crowded = loreEntry({ name: "Crowded Collective", aliases });
    const local = indexOf(crowded, klingon);
    expect(local.search("crowded collective", { guildId: null })[0]?.entry.id).toBe(crowded.id);
    expect(local.search(aliases[3] ?? "", { guildId: null })[0]).toMatchObject({ entry: { id: crowded.id } });
    expect(local.search("kdf", { guildId: null })[0]?.entry.id).toBe(klingon.id);
  });

  it("keeps headers as headerOf gives them, without changing the caller's", () => {
    const header = headerOf(qonos);
    const local = new LoreIndex();
    local.upsert(header);
    expect(local.get(qonos.id)).toEqual(header);
    expect(local.get(qonos.id)).not.toBe(header);
    expect(index.get(klingon.id)).toEqual(headerOf(klingon));
  });

  it("after compaction, keeps the words of whole summaries, treaty parties and every header as it was", () => {
    const long = `${"A long account of the sector. ".repeat(8)}Its last word is Xenolith.`;
    const entries = Array.from({ length: 2400 }, (_, i) =>
      loreEntry({
        name: `Accord${i} Pact`,
        kind: "treaty",
        standing: null,
        summary: i === 2000 ? long : `Pact number ${i}.`,
        details: { relations: [], events: [], parties: ["klingon-empire", `house-${i}`], signed: "2409" },
      }),
    );
    const local = indexOf(...entries);
    const before = local.get(entries[2000]?.id ?? "");
    for (const entry of entries.slice(0, 1200)) local.remove(entry.id);
    expect(local.search("xenolith", { guildId: null, fullText: true }).map((hit) => hit.entry.id)).toEqual([
      entries[2000]?.id,
    ]);
    expect(local.get(entries[2000]?.id ?? "")).toEqual(before);
    expect(local.get(entries[2000]?.id ?? "")).toMatchObject({
      parties: ["klingon-empire", "house-2000"],
      signed: "2409",
    });
    expect(local.getBySlug("canon", "accord2399-pact")?.id).toBe(entries[2399]?.id);
    expect(local.getBySlug("canon", "accord5-pact")).toBeUndefined();
  });

  it("keeps odd characters of names and aliases, the record separator aside", () => {
    const odd = loreEntry({ name: "Ŧhe \u001fVoid\u200b Choir", aliases: ["Choir of 𝔙oid", "Ψ"] });
    const local = indexOf(odd, klingon);
    expect(local.get(odd.id)).toMatchObject({ name: "Ŧhe  Void\u200b Choir", aliases: ["Choir of 𝔙oid", "Ψ"] });
    expect(local.search("choir of", { guildId: null })[0]).toMatchObject({
      entry: { id: odd.id },
      matched: "Choir of 𝔙oid",
    });
    expect(local.search("kdf", { guildId: null })[0]?.entry.id).toBe(klingon.id);
  });

  it("settles a bulk load before the first search, with the same answers", () => {
    const local = indexOf(klingon, rebels, kazon, ogla);
    local.settle();
    expect(local.search("klingon emp", { guildId: null }).map((h) => h.entry.id)).toEqual([klingon.id, rebels.id]);
    expect(local.search("kazn", { guildId: null })[0]?.entry.id).toBe(kazon.id);
  });
});

describe("LoreIndex.page", () => {
  it("gives one page of a listing, filtered by quadrant and standing, and how many the listing holds", () => {
    const factions = Array.from({ length: 60 }, (_, i) =>
      loreEntry({
        name: `House ${String(i).padStart(2, "0")}`,
        quadrants: i % 2 === 0 ? ["beta"] : ["gamma"],
        standing: i % 3 === 0 ? "friendly" : "neutral",
      }),
    );
    const local = indexOf(...factions.slice().reverse(), qonos);
    const all = local.page(null, ["faction"], { offset: 10, limit: 5 });
    expect(all.total).toBe(60);
    expect(all.items.map((h) => h.name)).toEqual(["House 10", "House 11", "House 12", "House 13", "House 14"]);
    const beta = local.page(null, ["faction"], { offset: 0, limit: 3 }, { quadrant: "beta", standing: "friendly" });
    expect(beta.total).toBe(10);
    expect(beta.items.map((h) => h.name)).toEqual(["House 00", "House 06", "House 12"]);
    expect(local.page(null, ["faction"], { offset: 0, limit: 3 }, { standing: "member" })).toEqual({
      items: [],
      total: 0,
    });
    expect(local.page("111111111111111111", ["place"], { offset: 0, limit: 3 }).items).toEqual([headerOf(qonos)]);
  });
});

describe("LoreIndex.list", () => {
  it("lists kind by kind in the order asked, then by name", () => {
    const place = loreEntry({ name: "Kazon", kind: "place", standing: null });
    const local = indexOf(kazon, place, klingon);
    expect(local.list(null, ["place", "faction"]).map((h) => h.id)).toEqual([place.id, kazon.id, klingon.id]);
    expect(local.list(null, ["faction", "place"]).map((h) => h.id)).toEqual([kazon.id, place.id, klingon.id]);
    expect(local.list(null).map((h) => h.id)).toEqual([kazon.id, place.id, klingon.id]);
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
