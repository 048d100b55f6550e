import path from "node:path";
import { defineConfig } from "prisma/config";

// Used by the Prisma CLI (generate; and migrate where the CLI can fetch its schema engine).
// The bot applies prisma/migrations itself at startup (src/db/migrate.ts).
export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  datasource: { url: process.env.DATABASE_URL ?? "file:./var/khitomer.db" },
});
