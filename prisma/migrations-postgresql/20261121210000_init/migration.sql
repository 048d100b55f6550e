-- CreateTable
CREATE TABLE "lore_entries" (
    "id" TEXT NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "lore_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "app_state" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "app_state_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "guild_settings" (
    "guildId" TEXT NOT NULL,
    "councilRoleId" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "maxFactions" INTEGER NOT NULL DEFAULT 1,
    "canonJoinPolicy" TEXT NOT NULL DEFAULT 'open',
    "approvalChannelId" TEXT,
    "treatyVoters" TEXT NOT NULL DEFAULT 'factions',
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "guild_settings_pkey" PRIMARY KEY ("guildId")
);

-- CreateTable
CREATE TABLE "server_factions" (
    "id" TEXT NOT NULL,
    "guildId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "nameKey" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "notes" TEXT NOT NULL DEFAULT '',
    "color" INTEGER,
    "emoji" TEXT,
    "canonSlug" TEXT,
    "isCanon" BOOLEAN NOT NULL,
    "joinPolicy" TEXT,
    "roleId" TEXT,
    "archivedAt" TIMESTAMP(3),
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "server_factions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "faction_members" (
    "id" TEXT NOT NULL,
    "guildId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "factionId" TEXT NOT NULL,
    "slot" INTEGER NOT NULL,
    "isLeader" BOOLEAN NOT NULL DEFAULT false,
    "joinedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "departedAt" TIMESTAMP(3),

    CONSTRAINT "faction_members_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "join_requests" (
    "id" TEXT NOT NULL,
    "guildId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "factionId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "pendingKey" TEXT,
    "channelId" TEXT,
    "messageId" TEXT,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "join_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "faction_events" (
    "id" TEXT NOT NULL,
    "guildId" TEXT NOT NULL,
    "factionId" TEXT,
    "userId" TEXT,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "faction_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "treaties" (
    "id" TEXT NOT NULL,
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
    "opensAt" TIMESTAMP(3) NOT NULL,
    "closesAt" TIMESTAMP(3) NOT NULL,
    "closedAt" TIMESTAMP(3),
    "closedBy" TEXT,
    "closeReason" TEXT,
    "summary" TEXT,
    "channelId" TEXT NOT NULL,
    "messageId" TEXT,
    "resultMessageId" TEXT,
    "loreEntryId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "treaties_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ballots" (
    "id" TEXT NOT NULL,
    "treatyId" TEXT NOT NULL,
    "guildId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "choice" TEXT NOT NULL,
    "castAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ballots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "treaty_drafts" (
    "id" TEXT NOT NULL,
    "guildId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "options" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "treaty_drafts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "scheduled_jobs" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "guildId" TEXT,
    "payload" TEXT NOT NULL DEFAULT '{}',
    "dueAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "claimedBy" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "scheduled_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "council_schedules" (
    "id" TEXT NOT NULL,
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
    "skipAt" TIMESTAMP(3),
    "handledUntil" TIMESTAMP(3) NOT NULL,
    "eventId" TEXT,
    "eventFor" TIMESTAMP(3),
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "council_schedules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "council_occurrences" (
    "id" TEXT NOT NULL,
    "scheduleId" TEXT NOT NULL,
    "guildId" TEXT NOT NULL,
    "scheduledFor" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "late" BOOLEAN NOT NULL DEFAULT false,
    "note" TEXT,
    "channelId" TEXT,
    "messageId" TEXT,
    "claimedBy" TEXT,
    "claimedAt" TIMESTAMP(3),
    "postedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "council_occurrences_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agenda_notes" (
    "id" TEXT NOT NULL,
    "guildId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "agenda_notes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "agenda_notes_guildId_usedAt_idx" ON "agenda_notes"("guildId", "usedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ballots_treatyId_userId_key" ON "ballots"("treatyId", "userId");

-- CreateIndex
CREATE INDEX "council_occurrences_guildId_scheduledFor_idx" ON "council_occurrences"("guildId", "scheduledFor");

-- CreateIndex
CREATE UNIQUE INDEX "council_occurrences_scheduleId_scheduledFor_kind_key" ON "council_occurrences"("scheduleId", "scheduledFor", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "council_schedules_guildId_key" ON "council_schedules"("guildId");

-- CreateIndex
CREATE INDEX "faction_events_guildId_createdAt_idx" ON "faction_events"("guildId", "createdAt");

-- CreateIndex
CREATE INDEX "faction_events_guildId_userId_idx" ON "faction_events"("guildId", "userId");

-- CreateIndex
CREATE INDEX "faction_members_factionId_idx" ON "faction_members"("factionId");

-- CreateIndex
CREATE UNIQUE INDEX "faction_members_guildId_userId_factionId_key" ON "faction_members"("guildId", "userId", "factionId");

-- CreateIndex
CREATE UNIQUE INDEX "faction_members_guildId_userId_slot_key" ON "faction_members"("guildId", "userId", "slot");

-- CreateIndex
CREATE INDEX "join_requests_guildId_status_idx" ON "join_requests"("guildId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "join_requests_pendingKey_key" ON "join_requests"("pendingKey");

-- CreateIndex
CREATE INDEX "lore_entries_scope_kind_idx" ON "lore_entries"("scope", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "lore_entries_scope_slug_key" ON "lore_entries"("scope", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "scheduled_jobs_key_key" ON "scheduled_jobs"("key");

-- CreateIndex
CREATE INDEX "scheduled_jobs_status_dueAt_idx" ON "scheduled_jobs"("status", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "server_factions_guildId_nameKey_key" ON "server_factions"("guildId", "nameKey");

-- CreateIndex
CREATE UNIQUE INDEX "server_factions_guildId_slug_key" ON "server_factions"("guildId", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "treaties_guildId_number_key" ON "treaties"("guildId", "number");

-- CreateIndex
CREATE INDEX "treaties_guildId_status_idx" ON "treaties"("guildId", "status");

-- CreateIndex
CREATE INDEX "treaty_drafts_createdAt_idx" ON "treaty_drafts"("createdAt");

-- AddForeignKey
ALTER TABLE "faction_members" ADD CONSTRAINT "faction_members_factionId_fkey" FOREIGN KEY ("factionId") REFERENCES "server_factions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ballots" ADD CONSTRAINT "ballots_treatyId_fkey" FOREIGN KEY ("treatyId") REFERENCES "treaties"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "council_occurrences" ADD CONSTRAINT "council_occurrences_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "council_schedules"("id") ON DELETE CASCADE ON UPDATE CASCADE;
