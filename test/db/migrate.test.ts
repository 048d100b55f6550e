import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../../src/db/database.js";
import { MigrationError, migrateSqlite } from "../../src/db/migrate.js";
import { tempDir } from "../support/temp-dir.js";

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function scratch() {
  const t = tempDir();
  cleanup = t.cleanup;
  return t.dir;
}

describe("migrateSqlite", () => {
  it("given a new file, applies every migration and records it as Prisma Migrate does", () => {
    const file = path.join(scratch(), "k.db");
    const report = migrateSqlite(file, MIGRATIONS_DIR);
    const names = readdirSync(MIGRATIONS_DIR)
      .filter((n) => !n.endsWith(".toml"))
      .sort();
    expect(report.applied).toEqual(names);

    const db = new Database(file, { readonly: true });
    const rows = db.prepare(`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`).all() as Record<
      string,
      unknown
    >[];
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[];
    db.close();
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const row of rows) {
      const sql = readFileSync(path.join(MIGRATIONS_DIR, String(row.migration_name), "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(String(row.id)).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(["lore_entries", "app_state", "_prisma_migrations"]),
    );
  });

  it("given an up-to-date file, applies nothing the second time", () => {
    const file = path.join(scratch(), "k.db");
    migrateSqlite(file, MIGRATIONS_DIR);
    const again = migrateSqlite(file, MIGRATIONS_DIR);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBeGreaterThan(0);
    expect(again.modified).toEqual([]);
  });

  it("given a migration that fails, leaves no half-applied schema and no record", () => {
    const dir = scratch();
    const migrations = path.join(dir, "migrations");
    mkdirSync(path.join(migrations, "1_ok"), { recursive: true });
    mkdirSync(path.join(migrations, "2_broken"), { recursive: true });
    writeFileSync(path.join(migrations, "1_ok", "migration.sql"), `CREATE TABLE "a" ("id" TEXT NOT NULL PRIMARY KEY);`);
    writeFileSync(
      path.join(migrations, "2_broken", "migration.sql"),
      `CREATE TABLE "b" ("id" TEXT NOT NULL PRIMARY KEY);\nCREATE TABLE "a" ("id" TEXT);`,
    );
    const file = path.join(dir, "k.db");
    expect(() => migrateSqlite(file, migrations)).toThrow(/already exists/);
    const db = new Database(file, { readonly: true });
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map(
      (t) => t.name,
    );
    const recorded = db.prepare(`SELECT migration_name FROM "_prisma_migrations"`).all();
    db.close();
    expect(tables).toContain("a");
    expect(tables).not.toContain("b");
    expect(recorded).toEqual([{ migration_name: "1_ok" }]);
  });

  it("given a migration Prisma recorded as failed, refuses to start with what to do", () => {
    const dir = scratch();
    const file = path.join(dir, "k.db");
    migrateSqlite(file, MIGRATIONS_DIR);
    const db = new Database(file);
    db.prepare(`UPDATE "_prisma_migrations" SET finished_at = NULL`).run();
    db.close();
    expect(() => migrateSqlite(file, MIGRATIONS_DIR)).toThrow(MigrationError);
    expect(() => migrateSqlite(file, MIGRATIONS_DIR)).toThrow(/prisma migrate resolve/);
  });
});
