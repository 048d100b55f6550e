import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

export interface Migration {
  name: string;
  sql: string;
  /** SHA-256 of migration.sql, as Prisma Migrate records it. */
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
  /** Migrations whose file changed after they were applied (Prisma warns about these too). */
  modified: string[];
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

/** Reads prisma/migrations in Prisma Migrate's layout: <timestamp>_<name>/migration.sql, applied in name order. */
export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((entry) => statSync(path.join(dir, entry)).isDirectory())
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

// The table exactly as Prisma's schema engine creates it on SQLite, so that `prisma migrate status|deploy`
// agree with what the bot applied on a machine where the Prisma CLI can run.
const CREATE_PRISMA_MIGRATIONS = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/** Prisma accepts the file as-is, with CRLF→LF or LF→CRLF (git's line-ending conversion), and so do we. */
export function matchesChecksum(sql: string, checksum: string): boolean {
  return [sql, sql.replaceAll("\r\n", "\n"), sql.replaceAll("\n", "\r\n")].some(
    (variant) => createHash("sha256").update(variant).digest("hex") === checksum,
  );
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: string | null;
  rolled_back_at: string | null;
}

/**
 * Applies pending migrations to a SQLite file. Each migration runs in one IMMEDIATE transaction together with
 * its _prisma_migrations row, so a crash leaves it either fully applied or not at all, and two processes
 * starting at once cannot both apply it.
 */
export function migrateSqlite(
  file: string,
  migrationsDir: string,
  now: () => Date = () => new Date(),
): MigrationReport {
  const migrations = readMigrations(migrationsDir);
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 10000");
    db.exec(CREATE_PRISMA_MIGRATIONS);
    const report: MigrationReport = { applied: [], alreadyApplied: 0, modified: [] };
    for (const migration of migrations) {
      const apply = db.transaction(() => {
        const rows = db
          .prepare(
            `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" WHERE migration_name = ?`,
          )
          .all(migration.name) as AppliedRow[];
        const done = rows.find((row) => row.finished_at !== null && row.rolled_back_at === null);
        if (done) {
          report.alreadyApplied += 1;
          if (!matchesChecksum(migration.sql, done.checksum)) report.modified.push(migration.name);
          return;
        }
        if (rows.some((row) => row.finished_at === null && row.rolled_back_at === null)) {
          throw new MigrationError(
            `migration ${migration.name} failed earlier and was not rolled back; fix the database, then mark it with \`prisma migrate resolve\``,
          );
        }
        const startedAt = now().toISOString();
        db.exec(migration.sql);
        db.prepare(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
        ).run(randomUUID(), migration.checksum, now().toISOString(), migration.name, startedAt);
        report.applied.push(migration.name);
      });
      apply.immediate();
    }
    return report;
  } finally {
    db.close();
  }
}
