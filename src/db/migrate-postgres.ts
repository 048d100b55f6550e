import { randomUUID } from "node:crypto";
import pg from "pg";
import { MigrationError, type MigrationReport, matchesChecksum, readMigrations } from "./migrate.js";

// The table as Prisma's schema engine creates it on PostgreSQL, so `prisma migrate status|deploy` agree.
const CREATE_PRISMA_MIGRATIONS = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Any fixed number will do: it only keeps two processes from migrating the same database at once. */
const LOCK_KEY = 7_201_411;

/**
 * Applies pending migrations to a PostgreSQL database, each in one transaction with its _prisma_migrations row,
 * under an advisory lock so that several bot processes starting at once apply each migration once.
 */
export async function migratePostgres(url: string, migrationsDir: string): Promise<MigrationReport> {
  const migrations = readMigrations(migrationsDir);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await client.query(CREATE_PRISMA_MIGRATIONS);
    const report: MigrationReport = { applied: [], alreadyApplied: 0, modified: [] };
    for (const migration of migrations) {
      const { rows } = await client.query<{ checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
        `SELECT checksum, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE migration_name = $1`,
        [migration.name],
      );
      const done = rows.find((row) => row.finished_at !== null && row.rolled_back_at === null);
      if (done) {
        report.alreadyApplied += 1;
        if (!matchesChecksum(migration.sql, done.checksum)) report.modified.push(migration.name);
        continue;
      }
      if (rows.some((row) => row.finished_at === null && row.rolled_back_at === null))
        throw new MigrationError(
          `migration ${migration.name} failed earlier and was not rolled back; fix the database, then mark it with \`prisma migrate resolve\``,
        );
      await client.query("BEGIN");
      try {
        const started = new Date();
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES ($1, $2, $3, $4, NULL, NULL, $5, 1)`,
          [randomUUID(), migration.checksum, new Date(), migration.name, started],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
      report.applied.push(migration.name);
    }
    return report;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
