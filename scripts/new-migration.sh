#!/usr/bin/env bash
# Writes prisma/migrations/<UTC timestamp>_<name>/migration.sql for the change of prisma/schema.prisma since a
# git revision (default HEAD), without Prisma 7's schema engine (which cannot be downloaded on offline machines):
# Prisma 6.19.3's JavaScript schema engine prints the same DDL. See docs/migrations.md.
# Usage: scripts/new-migration.sh <name> [base-revision]
set -euo pipefail
name=${1:?usage: scripts/new-migration.sh <name> [base-revision]}
base=${2:-HEAD}
root=$(git rev-parse --show-toplevel)
tool=${KHITOMER_MIGRATION_TOOL_DIR:-${TMPDIR:-/tmp}/khitomer-migration-tool}

mkdir -p "$tool/prisma"
if [ ! -x "$tool/node_modules/.bin/prisma" ]; then
  (cd "$tool" && npm init -y >/dev/null && npm install --no-audit --no-fund prisma@6.19.3 @prisma/adapter-libsql@6.19.3 @libsql/client >/dev/null)
fi
cat > "$tool/prisma.config.ts" <<'TS'
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { defineConfig } from "prisma/config";
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/new.prisma",
  async adapter() {
    return new PrismaLibSQL({ url: "file:./scratch.db" });
  },
});
TS

# Prisma 6 wants a datasource url and, to stay offline, a client-engine generator.
convert() {
  awk '
    /^generator client \{/ { print "generator client {\n  provider   = \"prisma-client-js\"\n  engineType = \"client\"\n}"; skip=1; next }
    /^datasource db \{/ { print "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:./scratch.db\"\n}"; skip=1; next }
    skip && /^\}/ { skip=0; next }
    !skip { print }
  '
}
git -C "$root" show "$base:prisma/schema.prisma" | convert > "$tool/prisma/old.prisma"
convert < "$root/prisma/schema.prisma" > "$tool/prisma/new.prisma"

dir="$root/prisma/migrations/$(date -u +%Y%m%d%H%M%S)_$name"
mkdir -p "$dir"
# --output, not a redirect: stdout adds a trailing blank line, and the file's bytes are its checksum.
(cd "$tool" && npx prisma migrate diff --from-schema-datamodel prisma/old.prisma --to-schema-datamodel prisma/new.prisma \
  --script --output "$dir/migration.sql")
echo "wrote ${dir#"$root/"}/migration.sql"
