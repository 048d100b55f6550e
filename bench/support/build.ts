import { spawnSync } from "node:child_process";
import { ROOT } from "../lib/paths.js";
import { progress } from "../lib/progress.js";

let built = false;

/** `npm run build` once per bench run, so the production figures measure the sources as they are now. */
export function buildOnce(): void {
  if (built) return;
  progress("npm run build (the production figures run compiled dist/)");
  const result = spawnSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: ["ignore", 2, 2] });
  if (result.status !== 0)
    throw new Error(`npm run build failed (exit ${result.status}): the bot figures need compiled sources`);
  built = true;
}
