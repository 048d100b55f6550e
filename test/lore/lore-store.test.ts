import { cpSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import { createLogger } from "../../src/logging/logger.js";
import { LoreService } from "../../src/lore/lore-service.js";
import { LoreStore } from "../../src/lore/lore-store.js";
import { tempDir } from "../support/temp-dir.js";

const log = createLogger({ level: "silent", pretty: false });
let db: Database;
let dir: string;
let cleanup: () => void;

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  db = await openDatabase(`file:${path.join(dir, "k.db")}`);
});
afterEach(async () => {
  await db.close();
  cleanup();
});

/** A copy of the bundled canon that a test may break. */
function canonCopy(): string {
  const copy = path.join(dir, "data");
  cpSync("data", copy, { recursive: true });
  return copy;
}

async function rows() {
  return db.prisma.loreEntry.findMany({
    orderBy: { slug: "asc" },
    select: { slug: true, contentHash: true, updatedAt: true },
  });
}

describe("canon import", () => {
  it("imports every bundled file, and a second import changes nothing", async () => {
    const lore = new LoreService(new LoreStore(db.prisma), log);
    const first = await lore.importCanon("data");
    expect(first.status).toBe("imported");
    const before = await rows();
    expect(before.length).toBeGreaterThan(100);
    expect(await lore.importCanon("data")).toEqual({ status: "unchanged" });
    const forced = await lore.importCanon("data", { force: true });
    expect(forced.status === "imported" && forced.summary).toMatchObject({
      created: 0,
      updated: 0,
      removed: 0,
      unchanged: before.length,
    });
    expect(await rows()).toEqual(before);
  });

  it("given one malformed file, refuses the whole import and leaves the store as it was", async () => {
    const data = canonCopy();
    const lore = new LoreService(new LoreStore(db.prisma), log);
    await lore.importCanon(data);
    const before = await rows();
    writeFileSync(path.join(data, "factions", "zz-new.md"), "---\nkind: faction\nname: New\n---\n");
    const klingon = path.join(data, "factions", "klingon-empire.md");
    writeFileSync(
      klingon,
      (await import("node:fs")).readFileSync(klingon, "utf8").replace(/^summary: .*$/m, "summary: Changed."),
    );
    const result = await lore.importCanon(data);
    expect(result.status).toBe("invalid");
    expect(result.status === "invalid" && result.problems[0]).toMatchObject({ file: "factions/zz-new.md" });
    expect(await rows()).toEqual(before);
  });

  it("follows the files: an edited entry is updated, a deleted file's entry removed, and the index with them", async () => {
    const data = canonCopy();
    const lore = new LoreService(new LoreStore(db.prisma), log);
    await lore.importCanon(data);
    const { rmSync, readFileSync } = await import("node:fs");
    rmSync(path.join(data, "factions", "drantzuli.md"));
    const file = path.join(data, "factions", "deferi.md");
    writeFileSync(file, readFileSync(file, "utf8").replace(/^name: .*$/m, "name: Deferi Republic"));
    const result = await lore.importCanon(data);
    expect(result.status === "imported" && result.summary).toMatchObject({ updated: 1, removed: 1, created: 0 });
    expect(lore.search("drantzuli", { guildId: null }).map((hit) => hit.entry.slug)).not.toContain("drantzuli");
    expect(lore.bySlug("drantzuli", null)).toBeUndefined();
    expect(lore.search("deferi republic", { guildId: null })[0]?.entry.name).toBe("Deferi Republic");
    const reloaded = new LoreService(new LoreStore(db.prisma), log);
    await reloaded.load();
    expect(reloaded.index.size).toBe(lore.index.size);
  });
});

describe("loading the index", () => {
  it("reads the same entries row by row on SQLite as page by page through Prisma", async () => {
    await new LoreService(new LoreStore(db.prisma), log).importCanon("data");
    await new LoreStore(db.prisma).saveEntry("123456789012345678", {
      kind: "faction",
      slug: "house-of-duras",
      name: "House of Duras",
      aliases: ["Duras"],
      tags: ["klingon"],
      quadrants: ["beta"],
      standing: null,
      summary: "A great house with a long memory.",
      body: "",
      details: { relations: [], events: [], standingNote: "Outlawed" },
      sources: [],
      sourceFile: null,
    });
    expect(db.scanRows).toBeDefined();
    const read = async (store: LoreStore) => {
      const entries: unknown[] = [];
      await store.eachEntry((entry) => entries.push(entry), 50);
      return entries;
    };
    const scanned = await read(new LoreStore(db.prisma, db.scanRows));
    expect(scanned.length).toBe(await db.prisma.loreEntry.count());
    expect(scanned).toEqual(await read(new LoreStore(db.prisma)));
    expect(scanned).toContainEqual(expect.objectContaining({ name: "House of Duras", aliases: ["Duras"] }));
  });
});
