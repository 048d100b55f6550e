-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_guild_settings" (
    "guildId" TEXT NOT NULL PRIMARY KEY,
    "councilRoleId" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "maxFactions" INTEGER NOT NULL DEFAULT 1,
    "canonJoinPolicy" TEXT NOT NULL DEFAULT 'open',
    "approvalChannelId" TEXT,
    "treatyVoters" TEXT NOT NULL DEFAULT 'factions',
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_guild_settings" ("approvalChannelId", "canonJoinPolicy", "councilRoleId", "guildId", "maxFactions", "timezone", "updatedAt") SELECT "approvalChannelId", "canonJoinPolicy", "councilRoleId", "guildId", "maxFactions", "timezone", "updatedAt" FROM "guild_settings";
DROP TABLE "guild_settings";
ALTER TABLE "new_guild_settings" RENAME TO "guild_settings";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
