/** Prisma's unique-constraint violation (P2002), the same on SQLite and PostgreSQL: "someone else got there first". */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}
