import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import BetterSqlite from "better-sqlite3";
import { PrismaClient } from "../generated/prisma/client.js";
import { MigrationError, type MigrationReport, migrateSqlite, readMigrations } from "./migrate.js";
import { sqlitePathFromUrl } from "./sqlite-path.js";

export type { PrismaClient } from "../generated/prisma/client.js";

const here = path.dirname(fileURLToPath(import.meta.url));
/** prisma/migrations, found from src/db (tsx, vitest) and from dist/src/db (compiled) alike. */
export const MIGRATIONS_DIR = findUp(here, path.join("prisma", "migrations"));
/** PostgreSQL's migrations: the same models, in Prisma Migrate's layout for that provider. */
export const POSTGRES_MIGRATIONS_DIR = findUp(here, path.join("prisma", "migrations-postgresql"));

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

export interface Database {
  prisma: PrismaClient;
  migrations: MigrationReport;
  /** SQLite files only: see `ScanRows`. */
  scanRows?: ScanRows;
  close(): Promise<void>;
}

/**
 * Reads the rows of one query one at a time, on a read-only connection of its own that is closed when the reading
 * ends. For loading many rows at startup: each row becomes garbage as soon as it is read, instead of pages of
 * thousands of row objects (and Prisma's copies of them) living long enough to fill the heap.
 */
export type ScanRows = <Row>(sql: string) => Iterable<Row>;

/**
 * Opens the database named by DATABASE_URL, applying migrations first: a SQLite file (created if needed) by
 * default, PostgreSQL for postgresql:// URLs.
 */
export async function openDatabase(databaseUrl: string): Promise<Database> {
  if (isPostgresUrl(databaseUrl)) return openPostgres(databaseUrl);
  const file = sqlitePathFromUrl(databaseUrl);
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const migrations = migrateSqlite(file, MIGRATIONS_DIR);
  const adapter = new PrismaBetterSqlite3({ url: file, timeout: 10_000 });
  const prisma = new PrismaClient({ adapter });
  return {
    prisma,
    migrations,
    // A second connection to an in-memory database would see another, empty database.
    ...(file === ":memory:" ? {} : { scanRows: (sql) => scanSqlite(file, sql) }),
    close: () => prisma.$disconnect(),
  };
}

function* scanSqlite<Row>(file: string, sql: string): Generator<Row> {
  const connection = new BetterSqlite(file, { readonly: true, fileMustExist: true });
  // One pass reads each page once: a page cache of better-sqlite3's default 16 MB would only fill up, and its
  // memory stay with the process after the connection closes (measured: 100,000 entries, 18 MB; with 512 KB, 2 MB,
  // in the same time).
  connection.pragma("cache_size = -512");
  try {
    yield* connection.prepare<[], Row>(sql).iterate();
  } finally {
    connection.close();
  }
}

/**
 * Opens a SQLite database read-only, for copying it elsewhere: nothing is migrated or written, so the source
 * stays exactly as it was. It must already be fully migrated (the bot does that at every start).
 */
export async function openSqliteReadOnly(databaseUrl: string): Promise<Database> {
  const file = sqlitePathFromUrl(databaseUrl);
  if (!existsSync(file)) throw new MigrationError(`no SQLite database at ${file}`);
  const check = new BetterSqlite(file, { readonly: true });
  try {
    const applied = new Set(
      (
        check
          .prepare(
            `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
          )
          .all() as {
          migration_name: string;
        }[]
      ).map((row) => row.migration_name),
    );
    const missing = readMigrations(MIGRATIONS_DIR).filter((m) => !applied.has(m.name));
    if (missing.length > 0)
      throw new MigrationError(
        `the source database is not fully migrated (${missing.map((m) => m.name).join(", ")}): start the bot on it once first`,
      );
  } finally {
    check.close();
  }
  const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: file, readonly: true }) });
  return { prisma, migrations: { applied: [], alreadyApplied: 0, modified: [] }, close: () => prisma.$disconnect() };
}

async function openPostgres(url: string): Promise<Database> {
  // Loaded only for PostgreSQL: a bot on SQLite does not carry pg, its adapter and the second client (~10 MB).
  const [{ migratePostgres }, { PrismaPg }] = await Promise.all([
    import("./migrate-postgres.js"),
    import("@prisma/adapter-pg"),
  ]);
  const migrations = await migratePostgres(url, POSTGRES_MIGRATIONS_DIR);
  // The PostgreSQL client is generated from the same models (scripts/prisma-generate.mjs): the same API, so the
  // rest of the code uses one type for both.
  const { PrismaClient: PostgresClient } = await import("../generated/prisma-postgres/client.js");
  const prisma = new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as PrismaClient;
  return { prisma, migrations, close: () => prisma.$disconnect() };
}

function findUp(start: string, relative: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`cannot find ${relative} above ${start}`);
  }
}
