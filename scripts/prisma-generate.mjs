// Runs `prisma generate` after `npm ci`/`npm install` so src/generated/prisma exists on a fresh clone.
// The Prisma CLI wants to download its native schema engine before any command, and that download is not
// possible on offline machines; `generate` never runs the engine, it only checks that the file exists, so
// any executable will do when none is configured.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
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
process.exit(result.status ?? 1);
