-- CreateTable
CREATE TABLE "lore_entries" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "scope" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "aliases" TEXT NOT NULL,
    "tags" TEXT NOT NULL,
    "quadrants" TEXT NOT NULL,
    "standing" TEXT,
    "summary" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "details" TEXT NOT NULL,
    "sources" TEXT NOT NULL,
    "sourceFile" TEXT,
    "contentHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "app_state" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "lore_entries_scope_kind_idx" ON "lore_entries"("scope", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "lore_entries_scope_slug_key" ON "lore_entries"("scope", "slug");
