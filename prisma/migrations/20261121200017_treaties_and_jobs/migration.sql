-- CreateTable
CREATE TABLE "treaties" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "guildId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "terms" TEXT NOT NULL,
    "proposerId" TEXT NOT NULL,
    "parties" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "threshold" TEXT NOT NULL,
    "quorum" INTEGER NOT NULL,
    "standing" TEXT,
    "status" TEXT NOT NULL,
    "opensAt" DATETIME NOT NULL,
    "closesAt" DATETIME NOT NULL,
    "closedAt" DATETIME,
    "closedBy" TEXT,
    "closeReason" TEXT,
    "summary" TEXT,
    "channelId" TEXT NOT NULL,
    "messageId" TEXT,
    "resultMessageId" TEXT,
    "loreEntryId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ballots" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "treatyId" TEXT NOT NULL,
    "guildId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "choice" TEXT NOT NULL,
    "castAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ballots_treatyId_fkey" FOREIGN KEY ("treatyId") REFERENCES "treaties" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "treaty_drafts" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "guildId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "options" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "scheduled_jobs" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "guildId" TEXT,
    "payload" TEXT NOT NULL DEFAULT '{}',
    "dueAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "claimedBy" TEXT,
    "leaseUntil" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "finishedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "treaties_guildId_status_idx" ON "treaties"("guildId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "treaties_guildId_number_key" ON "treaties"("guildId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "ballots_treatyId_userId_key" ON "ballots"("treatyId", "userId");

-- CreateIndex
CREATE INDEX "treaty_drafts_createdAt_idx" ON "treaty_drafts"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "scheduled_jobs_key_key" ON "scheduled_jobs"("key");

-- CreateIndex
CREATE INDEX "scheduled_jobs_status_dueAt_idx" ON "scheduled_jobs"("status", "dueAt");
