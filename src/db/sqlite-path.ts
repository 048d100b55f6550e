import path from "node:path";

/** file:./var/khitomer.db → an absolute path (relative paths are taken from the working directory). */
export function sqlitePathFromUrl(url: string): string {
  const raw = url.replace(/^file:/, "").replace(/\?.*$/, "");
  if (raw === ":memory:") return raw;
  return path.resolve(raw);
}
