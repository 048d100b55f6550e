import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../src/db/database.js";
import { createLogger } from "../../src/logging/logger.js";
import { LoreService } from "../../src/lore/lore-service.js";
import { LoreStore } from "../../src/lore/lore-store.js";
import { tempDir } from "./temp-dir.js";
import { createPostgresDatabase, dropPostgresDatabase, TEST_POSTGRES } from "./test-database.js";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

/**
 * Migrates a SQLite file and imports the bundled canon once per run; each bot test copies it instead of
 * importing 150 entries again. The bot's own import then finds the digest unchanged and skips, as in production.
 */
export default async function setup(project: TestProject) {
  const { dir, cleanup } = tempDir("khitomer-template-");
  const file = path.join(dir, "template.db");
  const templateName = `khitomer_template_${process.pid}`;
  if (TEST_POSTGRES) await dropPostgresDatabase(templateName);
  const url = TEST_POSTGRES ? await createPostgresDatabase(templateName) : `file:${file}`;
  const db = await openDatabase(url);
  const result = await new LoreService(
    new LoreStore(db.prisma),
    createLogger({ level: "silent", pretty: false }),
  ).importCanon("data");
  await db.close();
  if (result.status !== "imported") throw new Error(`canon import for tests failed: ${JSON.stringify(result)}`);
  for (const suffix of ["-wal", "-shm"]) if (existsSync(file + suffix)) rmSync(file + suffix);
  project.provide("templateDatabase", TEST_POSTGRES ? templateName : file);
  return async () => {
    if (TEST_POSTGRES) await dropPostgresDatabase(templateName);
    cleanup();
  };
}
