import { randomBytes } from "node:crypto";
import { copyFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

/**
 * The database a test runs on. By default a SQLite file; with TEST_DATABASE_URL=postgresql://user:pw@host:port
 * the whole suite runs on PostgreSQL instead (a database per test, copied from a migrated template with the
 * canon imported, as the SQLite template file is copied).
 */
export const TEST_POSTGRES = process.env.TEST_DATABASE_URL;

export function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(task: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(TEST_POSTGRES as string, "postgres") });
  await client.connect();
  try {
    return await task(client);
  } finally {
    await client.end();
  }
}

export async function createPostgresDatabase(name: string, template?: string): Promise<string> {
  await admin((client) => client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`));
  return databaseUrl(TEST_POSTGRES as string, name);
}

export async function dropPostgresDatabase(name: string): Promise<void> {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** A fresh copy of the template (migrated, canon imported): a SQLite file in `dir`, or a PostgreSQL database. */
export async function freshDatabase(
  template: string,
  dir: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (TEST_POSTGRES) {
    const name = `khitomer_t_${randomBytes(6).toString("hex")}`;
    const url = await createPostgresDatabase(name, template);
    return { url, drop: () => dropPostgresDatabase(name) };
  }
  const file = path.join(dir, "khitomer.db");
  copyFileSync(template, file);
  return { url: `file:${file}`, drop: async () => undefined };
}
