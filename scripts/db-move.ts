import "dotenv/config";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../src/config/config.js";
import { isPostgresUrl, openDatabase, openSqliteReadOnly } from "../src/db/database.js";
import { MigrationError } from "../src/db/migrate.js";
import { MoveError, moveDatabase } from "../src/db/move.js";

const HELP = `Usage: npm run db:move -- --to postgresql://user:password@host:5432/db [--from file:./var/khitomer.db] [--force]

Copies a SQLite deployment into PostgreSQL, then verifies it: row counts and a checksum per table, and every
ballot and membership compared one by one. The source is opened read-only and left untouched. A target that
already holds rows is refused unless --force (which empties it first).

  --to     the PostgreSQL database to fill (migrated first)
  --from   the SQLite database to copy (default: DATABASE_URL, or file:./var/khitomer.db)
  --force  replace whatever the target holds
  --help   show this text

Stop the bot first, so nothing changes while the copy runs; then set DATABASE_URL to the target and start it.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      to: { type: "string" },
      from: { type: "string" },
      force: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.to || !isPostgresUrl(values.to)) {
    console.error("db:move: --to must be a postgresql:// URL (see --help)");
    return 1;
  }
  const from = values.from ?? loadConfig(process.env).databaseUrl;
  if (isPostgresUrl(from)) {
    console.error("db:move: --from must be a SQLite file URL such as file:./var/khitomer.db");
    return 1;
  }
  const source = await openSqliteReadOnly(from);
  const target = await openDatabase(values.to);
  try {
    const reports = await moveDatabase(source.prisma, target.prisma, {
      force: values.force ?? false,
      onProgress: (table, done, total) => {
        if (process.stderr.isTTY && total > 0) process.stderr.write(`\rcopying ${table}: ${done}/${total}   `);
      },
    });
    if (process.stderr.isTTY) process.stderr.write("\n");
    for (const r of reports)
      console.log(
        `${r.ok ? "ok  " : "DIFF"} ${r.table}: ${r.source} → ${r.target} rows, checksum ${r.targetChecksum.slice(0, 12)}${r.differing?.length ? ` (differing: ${r.differing.join(", ")})` : ""}`,
      );
    const bad = reports.filter((r) => !r.ok);
    console.log(
      bad.length === 0
        ? "Verified: every table matches. Set DATABASE_URL to the target and start the bot."
        : `${bad.length} table(s) differ.`,
    );
    return bad.length === 0 ? 0 : 2;
  } finally {
    await source.close();
    await target.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof MoveError || error instanceof MigrationError || error instanceof ConfigError;
    console.error(
      `db:move: ${known || error instanceof Error ? (error as Error).message.split("\n")[0] : String(error)}`,
    );
    process.exit(1);
  },
);
