-- CreateTable
CREATE TABLE "guild_settings" (
    "guildId" TEXT NOT NULL PRIMARY KEY,
    "councilRoleId" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "maxFactions" INTEGER NOT NULL DEFAULT 1,
    "canonJoinPolicy" TEXT NOT NULL DEFAULT 'open',
    "approvalChannelId" TEXT,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "server_factions" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "archivedAt" DATETIME,
    "createdBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "faction_members" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "guildId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "factionId" TEXT NOT NULL,
    "slot" INTEGER NOT NULL,
    "isLeader" BOOLEAN NOT NULL DEFAULT false,
    "joinedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "departedAt" DATETIME,
    CONSTRAINT "faction_members_factionId_fkey" FOREIGN KEY ("factionId") REFERENCES "server_factions" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "join_requests" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "guildId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "factionId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "pendingKey" TEXT,
    "channelId" TEXT,
    "messageId" TEXT,
    "decidedBy" TEXT,
    "decidedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "faction_events" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "guildId" TEXT NOT NULL,
    "factionId" TEXT,
    "userId" TEXT,
    "actorId" TEXT,
    "action" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "server_factions_guildId_slug_key" ON "server_factions"("guildId", "slug");

-- CreateIndex
CREATE UNIQUE INDEX "server_factions_guildId_nameKey_key" ON "server_factions"("guildId", "nameKey");

-- CreateIndex
CREATE INDEX "faction_members_factionId_idx" ON "faction_members"("factionId");

-- CreateIndex
CREATE UNIQUE INDEX "faction_members_guildId_userId_factionId_key" ON "faction_members"("guildId", "userId", "factionId");

-- CreateIndex
CREATE UNIQUE INDEX "faction_members_guildId_userId_slot_key" ON "faction_members"("guildId", "userId", "slot");

-- CreateIndex
CREATE UNIQUE INDEX "join_requests_pendingKey_key" ON "join_requests"("pendingKey");

-- CreateIndex
CREATE INDEX "join_requests_guildId_status_idx" ON "join_requests"("guildId", "status");

-- CreateIndex
CREATE INDEX "faction_events_guildId_createdAt_idx" ON "faction_events"("guildId", "createdAt");

-- CreateIndex
CREATE INDEX "faction_events_guildId_userId_idx" ON "faction_events"("guildId", "userId");
