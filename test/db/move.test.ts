import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, openSqliteReadOnly } from "../../src/db/database.js";
import { MoveError, moveDatabase } from "../../src/db/move.js";
import { createLogger } from "../../src/logging/logger.js";
import { LoreService } from "../../src/lore/lore-service.js";
import { LoreStore } from "../../src/lore/lore-store.js";
import { tempDir } from "../support/temp-dir.js";
import { createPostgresDatabase, dropPostgresDatabase, TEST_POSTGRES } from "../support/test-database.js";

// db:move copies a SQLite deployment into PostgreSQL (the PostgreSQL pass of the suite runs it).
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A SQLite deployment with canon lore, a faction with members, and a treaty with ballots. */
async function sqliteDeployment(): Promise<string> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const url = `file:${path.join(dir, "source.db")}`;
  const db = await openDatabase(url);
  await new LoreService(new LoreStore(db.prisma), createLogger({ level: "silent", pretty: false })).importCanon("data");
  const faction = await db.prisma.serverFaction.create({
    data: {
      guildId: "1",
      slug: "klingon-empire",
      nameKey: "klingon empire",
      name: "Klingon Empire",
      isCanon: true,
      canonSlug: "klingon-empire",
    },
  });
  await db.prisma.factionMember.createMany({
    data: ["10", "11", "12"].map((userId, slot) => ({ guildId: "1", userId, factionId: faction.id, slot: slot % 1 })),
  });
  const treaty = await db.prisma.treaty.create({
    data: {
      guildId: "1",
      number: 1,
      title: "Accord",
      terms: "Terms of the accord.",
      proposerId: "10",
      parties: JSON.stringify([faction.id]),
      rule: "majority",
      threshold: "majority",
      quorum: 1,
      status: "open",
      opensAt: new Date("2026-11-21T18:00:00.123Z"),
      closesAt: new Date("2026-11-23T18:00:00Z"),
      channelId: "2",
    },
  });
  await db.prisma.ballot.createMany({
    data: ["10", "11", "12"].map((userId, i) => ({
      treatyId: treaty.id,
      guildId: "1",
      userId,
      choice: i === 2 ? "nay" : "aye",
    })),
  });
  await db.close();
  return url;
}

async function postgres(): Promise<string> {
  const name = `khitomer_move_${Date.now()}_${cleanups.length}`;
  cleanups.push(() => dropPostgresDatabase(name));
  return createPostgresDatabase(name);
}

const fileHash = (url: string) =>
  createHash("sha256")
    .update(readFileSync(url.replace(/^file:/, "")))
    .digest("hex");

describe.skipIf(!TEST_POSTGRES)("moveDatabase (SQLite → PostgreSQL)", () => {
  it("copies every row, verifies every table, and leaves the source untouched", async () => {
    const from = await sqliteDeployment();
    const before = fileHash(from);
    const source = await openSqliteReadOnly(from);
    const target = await openDatabase(await postgres());
    cleanups.push(
      () => source.close(),
      () => target.close(),
    );

    const reports = await moveDatabase(source.prisma, target.prisma, { force: false });
    expect(reports.filter((r) => !r.ok)).toEqual([]);
    expect(reports.find((r) => r.table === "loreEntry")?.target).toBeGreaterThan(150);
    expect(reports.find((r) => r.table === "ballot")).toMatchObject({ source: 3, target: 3, ok: true });
    expect(reports.find((r) => r.table === "factionMember")).toMatchObject({ source: 3, target: 3 });
    const moved = await target.prisma.treaty.findFirstOrThrow();
    expect(moved.opensAt.toISOString()).toBe("2026-11-21T18:00:00.123Z");
    expect(fileHash(from)).toBe(before);
  });

  it("refuses a target that holds rows, unless forced", async () => {
    const from = await sqliteDeployment();
    const source = await openSqliteReadOnly(from);
    const target = await openDatabase(await postgres());
    cleanups.push(
      () => source.close(),
      () => target.close(),
    );
    await moveDatabase(source.prisma, target.prisma, { force: false });
    await expect(moveDatabase(source.prisma, target.prisma, { force: false })).rejects.toThrow(MoveError);
    await expect(moveDatabase(source.prisma, target.prisma, { force: false })).rejects.toThrow(/add --force/);
    const again = await moveDatabase(source.prisma, target.prisma, { force: true });
    expect(again.every((r) => r.ok)).toBe(true);
  });
});
