/**
 * Values bound in one IN (...) list at most: far below SQLite's limit of 32,766 bound parameters and PostgreSQL's
 * 65,535, and small enough that a statement stays quick to prepare.
 */
export const IN_LIST_MAX = 500;

/** The items in runs of at most `size`, in order. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const runs: T[][] = [];
  for (let i = 0; i < items.length; i += size) runs.push(items.slice(i, i + size));
  return runs;
}
