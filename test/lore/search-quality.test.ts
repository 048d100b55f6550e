import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import { createLogger } from "../../src/logging/logger.js";
import { LoreService } from "../../src/lore/lore-service.js";
import { LoreStore } from "../../src/lore/lore-store.js";
import type { LoreKind } from "../../src/lore/model.js";
import { tempDir } from "../support/temp-dir.js";

// Search quality over the real canon, imported into a real SQLite file and loaded back, as the bot does.
// Each row: what a member types, where, and the entry that must come first (top1) or within the first five (top5).
type Row = { query: string; kinds?: LoreKind[]; top1?: string; top5?: string[]; why: string };

const F: LoreKind[] = ["faction"];
const TABLE: Row[] = [
  // exact names
  { query: "Klingon Empire", kinds: F, top1: "klingon-empire", why: "exact" },
  { query: "Dominion", kinds: F, top1: "dominion", why: "exact" },
  { query: "Cardassian Union", kinds: F, top1: "cardassian-union", why: "exact" },
  { query: "Treaty of Alliance", top1: "treaty-of-alliance", why: "exact" },
  { query: "Khitomer Accords", top1: "khitomer-accords", why: "exact" },
  { query: "Iconian War", top1: "iconian-war", why: "exact" },
  { query: "Klingon Civil War", top1: "klingon-civil-war", why: "exact" },
  { query: "A.F.S. Khitomer", top1: "afs-khitomer", why: "exact with dots" },
  // aliases
  { query: "KDF", kinds: F, top1: "klingon-empire", why: "alias" },
  { query: "Feds", kinds: F, top1: "united-federation-of-planets", why: "alias" },
  { query: "UFP", kinds: F, top1: "united-federation-of-planets", why: "alias" },
  { query: "Starfleet", kinds: F, top1: "united-federation-of-planets", why: "alias" },
  { query: "RSE", kinds: F, top1: "romulan-star-empire", why: "alias" },
  { query: "Jem'Hadar", kinds: F, top1: "dominion", why: "alias" },
  { query: "Species 8472", kinds: F, top1: "undine", why: "alias" },
  { query: "Sphere Builders", kinds: F, top1: "tuterian", why: "alias" },
  { query: "APU", kinds: F, top1: "automated-personnel-unit", why: "alias" },
  { query: "DS9", top1: "deep-space-9", why: "alias" },
  { query: "Klingon Alliance", top1: "treaty-of-alliance", why: "alias" },
  { query: "Admiral Quinn", top1: "jorel-quinn", why: "alias" },
  // apostrophes left out, accents, case
  { query: "fekihri", kinds: F, top1: "fek-ihri-horde", why: "no apostrophe" },
  { query: "feklhri", kinds: F, top1: "fek-ihri-horde", why: "the table's spelling, no apostrophe" },
  { query: "mokai", kinds: F, top1: "mokai-klingons", why: "no apostrophe" },
  { query: "nakuhl", kinds: F, top1: "nakuhl", why: "no apostrophe" },
  { query: "jmpok", top1: "jmpok", why: "no apostrophe" },
  { query: "qonos", top1: "qonos", why: "no apostrophe" },
  { query: "hurq", kinds: F, top1: "hurq", why: "no apostrophe" },
  { query: "jem hadar", kinds: F, top1: "dominion", why: "space for apostrophe" },
  { query: "LRELL", top1: "lrell", why: "case" },
  // prefixes as typed
  { query: "card", kinds: F, top1: "cardassian-union", why: "prefix" },
  { query: "fek", kinds: F, top1: "fek-ihri-horde", why: "prefix" },
  { query: "tzenk", kinds: F, top1: "tzenkethi-coalition", why: "prefix" },
  { query: "vaad", kinds: F, top1: "vaadwaur-supremacy", why: "prefix" },
  { query: "lukari", kinds: F, top1: "lukari-concordium", why: "prefix" },
  { query: "treaty of al", top1: "treaty-of-alliance", why: "prefix" },
  { query: "hur'q con", top1: "hurq-conflict", why: "prefix" },
  // misspellings
  { query: "klingin empire", kinds: F, top1: "klingon-empire", why: "typo" },
  { query: "cardasian", kinds: F, top1: "cardassian-union", why: "typo" },
  { query: "romulan repbulic", kinds: F, top1: "romulan-republic", why: "transposition" },
  { query: "federaton", kinds: F, top1: "united-federation-of-planets", why: "typo" },
  { query: "tholean assembly", kinds: F, top1: "tholian-assembly", why: "typo" },
  { query: "vaadwar", kinds: F, top1: "vaadwaur-supremacy", why: "typo" },
  { query: "hirogens", kinds: F, top1: "hirogen", why: "plural" },
  { query: "talaxians", kinds: F, top1: "talaxian", why: "plural" },
  { query: "kentary union", kinds: F, top1: "kentari-union", why: "typo" },
  { query: "tresty of aliance", top1: "treaty-of-alliance", why: "two typos" },
  // ambiguous words list every match
  { query: "borg", kinds: F, top5: ["borg-collective", "borg-cooperative", "borg-kingdom"], why: "ambiguous" },
  { query: "kazon", kinds: F, top5: ["kazon", "kazon-ogla"], why: "ambiguous" },
  { query: "romulan", kinds: F, top5: ["romulan-republic", "romulan-star-empire"], why: "ambiguous" },
  { query: "elachi", kinds: F, top5: ["elachi", "liberated-elachi"], why: "ambiguous" },
  { query: "romulans", kinds: F, top5: ["romulan-republic", "romulan-star-empire"], why: "ambiguous plural" },
];

const AMBIGUOUS = ["borg", "kazon", "romulan", "elachi"];
const SURE = [
  "Klingon Empire",
  "kazon ogla",
  "KDF",
  "Feds",
  "fekihri",
  "mokai",
  "nakuhl",
  "Jem'Hadar",
  "Species 8472",
  "klingin empire",
  "cardasian",
];

let db: Database;
let cleanup: () => void;
const lore = () => service;
let service: LoreService;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  db = await openDatabase(`file:${path.join(t.dir, "k.db")}`);
  const log = createLogger({ level: "silent", pretty: false });
  await new LoreService(new LoreStore(db.prisma), log).importCanon("data");
  service = new LoreService(new LoreStore(db.prisma), log);
  await service.load();
});
afterAll(async () => {
  await db.close();
  cleanup();
});

describe("search quality over the canon", () => {
  it("has at least 40 queries", () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(40);
  });

  it.each(TABLE.map((row) => [row.why, row.query, row] as const))("%s: %s", (_why, query, row) => {
    const slugs = lore()
      .search(query, { guildId: null, limit: 25, ...(row.kinds ? { kinds: row.kinds } : {}) })
      .map((hit) => hit.entry.slug);
    if (row.top1) expect(slugs[0]).toBe(row.top1);
    if (row.top5) expect(slugs.slice(0, 5)).toEqual(expect.arrayContaining(row.top5));
  });

  it.each(AMBIGUOUS)("an ambiguous %s asks which one is meant, listing every match", (query) => {
    const resolution = lore().resolve(query, null, F);
    expect(resolution.kind).toBe("ambiguous");
    const expected = TABLE.find((row) => row.query === query)?.top5 ?? [];
    expect(resolution.kind === "ambiguous" && resolution.candidates.map((e) => e.slug)).toEqual(
      expect.arrayContaining(expected),
    );
  });

  it.each(SURE)("%s is answered directly, without a question", (query) => {
    const resolution = lore().resolve(query, null, F);
    expect(resolution.kind).toBe("found");
  });

  it("nonsense is never answered with confidence", () => {
    for (const query of ["qwxzv", "the", "spaceship", "12345", "romulans"])
      expect(lore().resolve(query, null, F).kind).not.toBe("found");
  });
});
