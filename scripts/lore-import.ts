import "dotenv/config";
import path from "node:path";
import { parseArgs } from "node:util";
import { progressBar } from "../src/cli/progress-bar.js";
import { ConfigError, loadConfig } from "../src/config/config.js";
import { openDatabase } from "../src/db/database.js";
import { createLogger } from "../src/logging/logger.js";
import { LoreService } from "../src/lore/lore-service.js";
import { LoreStore } from "../src/lore/lore-store.js";

const HELP = `Usage: npm run lore:import -- [dir] [--check] [--force]

Validates every lore file in dir (default: LORE_DIR, or data/), then imports them as the canon lore:
new entries are created, changed ones updated, entries whose file is gone removed. Nothing is written
unless every file is valid. Running it twice changes nothing the second time.

  --check   validate only; write nothing
  --force   import even when the files have not changed since the last import
  --help    show this text

Settings: DATABASE_URL (default file:./var/khitomer.db), LORE_DIR. See .env.example.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { check: { type: "boolean" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const config = loadConfig(process.env);
  const dir = path.resolve(positionals[0] ?? config.loreDir);
  const log = createLogger({ level: "warn", pretty: false, destination: process.stderr as never });
  const db = await openDatabase(config.databaseUrl);
  try {
    const lore = new LoreService(new LoreStore(db.prisma), log);
    const bar = progressBar(process.stderr, "importing");
    if (values.check) {
      const { readLoreFolder } = await import("../src/lore/lore-files.js");
      const folder = readLoreFolder(dir);
      if (folder.problems.length > 0) return reportProblems(dir, folder.problems);
      console.log(`${folder.drafts.length} lore files in ${dir} are valid.`);
      return 0;
    }
    const result = await lore.importCanon(dir, { force: values.force ?? false, onProgress: bar.update });
    if (result.status === "invalid") return reportProblems(dir, result.problems);
    if (result.status === "unchanged") {
      console.log(
        `Nothing to do: the lore files in ${dir} have not changed since the last import (use --force to check each entry).`,
      );
      return 0;
    }
    const { created, updated, unchanged, removed } = result.summary;
    console.log(`Imported ${dir}: ${created} created, ${updated} updated, ${unchanged} unchanged, ${removed} removed.`);
    return 0;
  } finally {
    await db.close();
  }
}

function reportProblems(dir: string, problems: { file: string; field: string; message: string }[]): number {
  for (const p of problems)
    console.error(`${path.join(path.relative(process.cwd(), dir) || ".", p.file)}: ${p.field}: ${p.message}`);
  console.error(`${problems.length} problem(s); nothing was imported.`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `lore:import: ${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  },
);
