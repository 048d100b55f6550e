import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { POSTGRES_MIGRATIONS_DIR } from "../../src/db/database.js";
import { migratePostgres } from "../../src/db/migrate-postgres.js";
import { createPostgresDatabase, dropPostgresDatabase, TEST_POSTGRES } from "../support/test-database.js";

// Runs in the PostgreSQL pass of the suite (TEST_DATABASE_URL set); the SQLite pass skips it.
const names: string[] = [];
afterEach(async () => {
  for (const name of names.splice(0)) await dropPostgresDatabase(name);
});

async function fresh(): Promise<string> {
  const name = `khitomer_m_${Date.now()}_${names.length}`;
  names.push(name);
  return createPostgresDatabase(name);
}

describe.skipIf(!TEST_POSTGRES)("migratePostgres", () => {
  it("applies every migration once and records it as Prisma Migrate does, even with two processes at once", async () => {
    const url = await fresh();
    const [a, b] = await Promise.all([
      migratePostgres(url, POSTGRES_MIGRATIONS_DIR),
      migratePostgres(url, POSTGRES_MIGRATIONS_DIR),
    ]);
    expect(a.applied.length + b.applied.length).toBe(1);
    expect(a.alreadyApplied + b.alreadyApplied).toBe(1);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(
      `SELECT migration_name, checksum, applied_steps_count, finished_at FROM "_prisma_migrations"`,
    );
    const tables = await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
    await client.end();
    const sql = readFileSync(path.join(POSTGRES_MIGRATIONS_DIR, String(rows[0]?.migration_name), "migration.sql"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ checksum: createHash("sha256").update(sql).digest("hex"), applied_steps_count: 1 });
    expect(rows[0]?.finished_at).toBeInstanceOf(Date);
    expect(tables.rows.map((r) => r.tablename)).toEqual(
      expect.arrayContaining(["lore_entries", "ballots", "council_occurrences"]),
    );
    expect((await migratePostgres(url, POSTGRES_MIGRATIONS_DIR)).applied).toEqual([]);
  });
});
