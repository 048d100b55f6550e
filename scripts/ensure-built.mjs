// `npm start` runs compiled JavaScript. This compiles only when dist/ is missing or older than a source
// file, so a normal start does not compile anything.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const entry = "dist/src/main.js";
const sourceDirs = ["src", "commands", "prisma"];

function newest(dir) {
  let latest = 0;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const stat = statSync(full);
    latest = Math.max(latest, stat.isDirectory() ? newest(full) : stat.mtimeMs);
  }
  return latest;
}

const builtAt = existsSync(entry) ? statSync(entry).mtimeMs : 0;
const changedAt = Math.max(...sourceDirs.filter(existsSync).map(newest));
if (builtAt < changedAt) {
  console.error("khitomer: compiling (sources changed since the last build)...");
  const result = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: "inherit",
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
