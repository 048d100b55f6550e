-- CreateTable
CREATE TABLE "council_schedules" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "guildId" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "cron" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL,
    "mentionRoleId" TEXT,
    "reminderMinutes" INTEGER,
    "graceMinutes" INTEGER NOT NULL DEFAULT 120,
    "createEvents" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'active',
    "disabledReason" TEXT,
    "skipAt" DATETIME,
    "handledUntil" DATETIME NOT NULL,
    "eventId" TEXT,
    "eventFor" DATETIME,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "council_occurrences" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "scheduleId" TEXT NOT NULL,
    "guildId" TEXT NOT NULL,
    "scheduledFor" DATETIME NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "late" BOOLEAN NOT NULL DEFAULT false,
    "note" TEXT,
    "channelId" TEXT,
    "messageId" TEXT,
    "claimedBy" TEXT,
    "claimedAt" DATETIME,
    "postedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "council_occurrences_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "council_schedules" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "agenda_notes" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "guildId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "usedAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "council_schedules_guildId_key" ON "council_schedules"("guildId");

-- CreateIndex
CREATE INDEX "council_occurrences_guildId_scheduledFor_idx" ON "council_occurrences"("guildId", "scheduledFor");

-- CreateIndex
CREATE UNIQUE INDEX "council_occurrences_scheduleId_scheduledFor_kind_key" ON "council_occurrences"("scheduleId", "scheduledFor", "kind");

-- CreateIndex
CREATE INDEX "agenda_notes_guildId_usedAt_idx" ON "agenda_notes"("guildId", "usedAt");
