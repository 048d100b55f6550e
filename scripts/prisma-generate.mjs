// Runs `prisma generate` after `npm ci`/`npm install` so src/generated/prisma exists on a fresh clone.
// The Prisma CLI wants to download its native schema engine before any command, and that download is not
// possible on offline machines; `generate` never runs the engine, it only checks that the file exists, so
// any executable will do when none is configured.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let cli;
try {
  cli = require.resolve("prisma/build/index.js");
} catch {
  console.warn("prisma-generate: the prisma CLI is not installed (production install?); skipping client generation.");
  process.exit(0);
}
const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
env.PRISMA_HIDE_UPDATE_MESSAGE = "1";
const result = spawnSync(process.execPath, [cli, "generate"], { stdio: "inherit", env });
if (result.status !== 0) process.exit(result.status ?? 1);

// Prisma takes one database provider per schema: the PostgreSQL client is generated from the same models with
// the provider swapped, into src/generated/prisma-postgres (both clients have the same model API).
const schema = readFileSync("prisma/schema.prisma", "utf8")
  .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
  .replace('output              = "../src/generated/prisma"', 'output              = "./prisma-postgres"');
mkdirSync("src/generated", { recursive: true });
writeFileSync("src/generated/schema.postgresql.prisma", schema);
const pg = spawnSync(process.execPath, [cli, "generate", "--schema", "src/generated/schema.postgresql.prisma"], {
  stdio: "inherit",
  env,
});
process.exit(pg.status ?? 1);
