import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../generated/prisma/client.js";
import { type MigrationReport, migrateSqlite } from "./migrate.js";
import { sqlitePathFromUrl } from "./sqlite-path.js";

export type { PrismaClient } from "../generated/prisma/client.js";

const here = path.dirname(fileURLToPath(import.meta.url));
/** prisma/migrations, found from src/db (tsx, vitest) and from dist/src/db (compiled) alike. */
export const MIGRATIONS_DIR = findUp(here, path.join("prisma", "migrations"));

export interface Database {
  prisma: PrismaClient;
  migrations: MigrationReport;
  close(): Promise<void>;
}

/** Opens the database named by DATABASE_URL, creating the file and applying migrations first. */
export async function openDatabase(databaseUrl: string): Promise<Database> {
  const file = sqlitePathFromUrl(databaseUrl);
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const migrations = migrateSqlite(file, MIGRATIONS_DIR);
  const adapter = new PrismaBetterSqlite3({ url: file, timeout: 10_000 });
  const prisma = new PrismaClient({ adapter });
  return {
    prisma,
    migrations,
    close: () => prisma.$disconnect(),
  };
}

function findUp(start: string, relative: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`cannot find ${relative} above ${start}`);
  }
}
