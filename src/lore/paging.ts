export interface Page<T> {
  items: T[];
  /** Clamped into range: a stale button may ask for a page that no longer exists. */
  page: number;
  pageCount: number;
}

/** The page asked for, clamped into range, and how many pages `total` items make. */
export function pageOf(total: number, page: number, size: number): { page: number; pageCount: number } {
  const pageCount = Math.max(1, Math.ceil(total / size));
  return { page: Math.min(Math.max(0, Math.trunc(page)), pageCount - 1), pageCount };
}
