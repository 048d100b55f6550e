import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { TreatyStore } from "../../src/treaties/treaty-store.js";
import { createPostgresDatabase, dropPostgresDatabase, TEST_POSTGRES } from "../support/test-database.js";

const GUILD = "700000000000000001";

// PostgreSQL only: on SQLite a batch's transaction holds the database's one write lock, so a close waits anyway.
describe.skipIf(!TEST_POSTGRES)("a close claimed while a batch of ballots is being written (PostgreSQL)", () => {
  it("waits for the batch: the tally it reads holds every ballot that is stored", async () => {
    const name = `khitomer_r_${randomBytes(6).toString("hex")}`;
    const db = await openDatabase(await createPostgresDatabase(name));
    try {
      const store = new TreatyStore(db.prisma);
      const now = new Date();
      const treaty = await store.create({
        guildId: GUILD,
        title: "Accord of the Race",
        terms: "Whoever closes the vote sees every ballot cast.",
        proposerId: "700000000000000002",
        parties: [],
        rule: "majority",
        threshold: "majority",
        quorum: 1,
        standing: null,
        opensAt: now,
        closesAt: new Date(now.getTime() + 3_600_000),
        channelId: "700000000000000003",
      });
      const ballots = Array.from({ length: 2000 }, (_, i) => ({
        userId: `7${String(i).padStart(17, "0")}`,
        choice: "aye" as const,
      }));
      const casting = store.castMany(treaty.id, GUILD, ballots, now);
      // Another session is inside the batch's transaction, writing ballots: claim the close now.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [row] = await db.prisma.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
            AND query LIKE '%INSERT INTO "ballots"%'`;
        if ((row?.n ?? 0) > 0) break;
        if (Date.now() > deadline) throw new Error("the batch was never seen writing");
      }
      expect(await store.beginClose(GUILD, treaty.id, "admin", null, new Date())).toBe(true);
      const closing = await store.byId(GUILD, treaty.id);
      if (!closing) throw new Error("the treaty is gone");
      const tally = await store.tally(closing);
      const landed = await casting;
      const stored = await db.prisma.ballot.count({ where: { treatyId: treaty.id } });
      expect(tally.voters).toBe(stored);
      expect(landed.filter(Boolean)).toHaveLength(stored);
      expect(stored).toBe(2000);
    } finally {
      await db.close();
      await dropPostgresDatabase(name);
    }
  }, 60_000);
});
