export interface Page<T> {
  items: T[];
  /** Clamped into range: a stale button may ask for a page that no longer exists. */
  page: number;
  pageCount: number;
}

export function paginate<T>(items: readonly T[], page: number, size: number): Page<T> {
  const pageCount = Math.max(1, Math.ceil(items.length / size));
  const clamped = Math.min(Math.max(0, Math.trunc(page)), pageCount - 1);
  return { items: items.slice(clamped * size, clamped * size + size), page: clamped, pageCount };
}
