import path from "node:path";

/** The repository root: bots are started from here, and data/ is read from here, wherever the bench is run from. */
export const ROOT = path.resolve(import.meta.dirname, "../..");
