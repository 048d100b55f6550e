import { randomUUID } from "node:crypto";
import { chunks, IN_LIST_MAX } from "../db/chunks.js";
import type { PrismaClient } from "../db/database.js";
import { isUniqueViolation } from "../db/errors.js";
import type { Ballot as BallotRow, Treaty as TreatyRow } from "../generated/prisma/client.js";
import type { Choice, Count, Rule, Threshold } from "./outcome.js";

export const TREATY_STATUSES = ["open", "ratified", "rejected", "withdrawn"] as const;
/** "closing" is the moment between claiming the close and writing its result. */
export type TreatyStatus = (typeof TREATY_STATUSES)[number] | "closing";

export interface Treaty {
  id: string;
  guildId: string;
  number: number;
  title: string;
  terms: string;
  proposerId: string;
  parties: string[];
  rule: Rule;
  threshold: Threshold;
  quorum: number;
  standing: string | null;
  status: TreatyStatus;
  opensAt: Date;
  closesAt: Date;
  closedAt: Date | null;
  closedBy: string | null;
  closeReason: string | null;
  summary: string | null;
  channelId: string;
  messageId: string | null;
  resultMessageId: string | null;
  loreEntryId: string | null;
}

export type NewTreaty = Pick<
  Treaty,
  | "guildId"
  | "title"
  | "terms"
  | "proposerId"
  | "parties"
  | "rule"
  | "threshold"
  | "quorum"
  | "standing"
  | "opensAt"
  | "closesAt"
  | "channelId"
>;

export interface BallotTally {
  overall: Count;
  /** Per party faction id: the ballots of its present members. */
  byParty: Map<string, Count>;
  voters: number;
}

const NUMBER_ATTEMPTS = 5;

/** Named data functions for treaties and ballots. Every query names the server. */
export class TreatyStore {
  constructor(private readonly prisma: PrismaClient) {}

  /** Creates a treaty with the server's next number; two proposals at once get different numbers. */
  async create(data: NewTreaty): Promise<Treaty> {
    for (let attempt = 1; ; attempt += 1) {
      const last = await this.prisma.treaty.findFirst({
        where: { guildId: data.guildId },
        orderBy: { number: "desc" },
        select: { number: true },
      });
      try {
        const row = await this.prisma.treaty.create({
          data: { ...data, parties: JSON.stringify(data.parties), number: (last?.number ?? 0) + 1, status: "open" },
        });
        return toTreaty(row);
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= NUMBER_ATTEMPTS) throw error;
      }
    }
  }

  async byId(guildId: string, id: string): Promise<Treaty | undefined> {
    const row = await this.prisma.treaty.findFirst({ where: { guildId, id } });
    return row ? toTreaty(row) : undefined;
  }

  async byNumber(guildId: string, number: number): Promise<Treaty | undefined> {
    const row = await this.prisma.treaty.findUnique({ where: { guildId_number: { guildId, number } } });
    return row ? toTreaty(row) : undefined;
  }

  async list(
    guildId: string,
    status: TreatyStatus | null,
    page: { offset: number; limit: number },
  ): Promise<{ treaties: Treaty[]; total: number }> {
    const where = { guildId, ...(status ? { status } : {}) };
    const [rows, total] = await Promise.all([
      this.prisma.treaty.findMany({ where, orderBy: { number: "desc" }, skip: page.offset, take: page.limit }),
      this.prisma.treaty.count({ where }),
    ]);
    return { treaties: rows.map(toTreaty), total };
  }

  async update(
    guildId: string,
    id: string,
    data: Partial<Pick<Treaty, "messageId" | "channelId" | "resultMessageId" | "loreEntryId">>,
  ): Promise<void> {
    await this.prisma.treaty.updateMany({ where: { guildId, id }, data });
  }

  /**
   * Casts many ballots on one treaty in one transaction, in order (a member who clicked twice ends with the later
   * choice). Each is one statement that inserts only while the treaty is open, and the unique (treaty, member) pair
   * turns a second ballot into a change of the first: however many clicks arrive at once, a member has one ballot,
   * and none lands after the close began. The answer per ballot is whether it landed.
   */
  async castMany(
    treatyId: string,
    guildId: string,
    ballots: readonly { userId: string; choice: Choice }[],
    now: Date,
  ): Promise<boolean[]> {
    if (ballots.length === 0) return [];
    const [, ...written] = await this.prisma.$transaction([
      // Holds the treaty's row until the ballots are committed: a close claimed meanwhile (an update of that row)
      // waits for them, so the tally it reads next holds them all; a close claimed before leaves the ballots below
      // refused. PostgreSQL needs it (each statement sees what others committed as it starts); SQLite's one writer
      // at a time gives the same order anyway.
      this.prisma.$executeRaw`
      UPDATE "treaties" SET "status" = "status" WHERE "id" = ${treatyId} AND "guildId" = ${guildId} AND "status" = 'open'`,
      ...ballots.map(
        ({ userId, choice }) => this.prisma.$executeRaw`
      INSERT INTO "ballots" ("id", "treatyId", "guildId", "userId", "choice", "castAt", "updatedAt")
      SELECT ${randomUUID()}, ${treatyId}, ${guildId}, ${userId}, ${choice}, ${now}, ${now}
      WHERE EXISTS (SELECT 1 FROM "treaties" WHERE "id" = ${treatyId} AND "guildId" = ${guildId} AND "status" = 'open')
      ON CONFLICT ("treatyId", "userId") DO UPDATE SET "choice" = excluded."choice", "updatedAt" = excluded."updatedAt"`,
      ),
    ]);
    return written.map((count) => count > 0);
  }

  /** The ballots of many members on one treaty, by member (those who have not voted are absent). */
  async ballotsOf(treatyId: string, userIds: readonly string[]): Promise<Map<string, Choice>> {
    const byUser = new Map<string, Choice>();
    for (const chunk of chunks([...new Set(userIds)], IN_LIST_MAX)) {
      const rows = await this.prisma.ballot.findMany({
        where: { treatyId, userId: { in: chunk } },
        select: { userId: true, choice: true },
      });
      for (const row of rows) byUser.set(row.userId, row.choice as Choice);
    }
    return byUser;
  }

  async ballotOf(treatyId: string, userId: string): Promise<Choice | null> {
    // findFirst, not findUnique: Prisma batches concurrent findUnique calls into one query, and a burst of a
    // thousand clicks then exceeds SQLite's parameter limit.
    const row = await this.prisma.ballot.findFirst({ where: { treatyId, userId }, select: { choice: true } });
    return (row?.choice as Choice | undefined) ?? null;
  }

  /** Counts from the ballots in the database: what is shown and what decides are always the same numbers. */
  async tally(treaty: Treaty): Promise<BallotTally> {
    const ballots: Pick<BallotRow, "userId" | "choice">[] = await this.prisma.ballot.findMany({
      where: { treatyId: treaty.id },
      select: { userId: true, choice: true },
    });
    const overall = countOf(ballots);
    const byParty = new Map<string, Count>();
    if (treaty.parties.length > 0) {
      const memberships = await this.prisma.factionMember.findMany({
        where: { guildId: treaty.guildId, factionId: { in: treaty.parties }, departedAt: null },
        select: { userId: true, factionId: true },
      });
      for (const party of treaty.parties) {
        const members = new Set(memberships.filter((m) => m.factionId === party).map((m) => m.userId));
        byParty.set(party, countOf(ballots.filter((b) => members.has(b.userId))));
      }
    }
    return { overall, byParty, voters: ballots.length };
  }

  /** Members who may vote: per party, and overall (null: anyone on the server, count unknown). */
  async electorate(treaty: Treaty, anyone: boolean): Promise<{ overall: number | null; byParty: Map<string, number> }> {
    const byParty = new Map<string, number>();
    if (treaty.parties.length > 0) {
      const rows = await this.prisma.factionMember.findMany({
        where: { guildId: treaty.guildId, factionId: { in: treaty.parties }, departedAt: null },
        select: { userId: true, factionId: true },
      });
      for (const party of treaty.parties) byParty.set(party, rows.filter((r) => r.factionId === party).length);
      return { overall: new Set(rows.map((r) => r.userId)).size, byParty };
    }
    if (anyone) return { overall: null, byParty };
    const rows = await this.prisma.factionMember.findMany({
      where: { guildId: treaty.guildId, departedAt: null },
      distinct: ["userId"],
      select: { userId: true },
    });
    return { overall: rows.length, byParty };
  }

  /**
   * First step of closing: open → closing, exactly once (of two closers, one wins). From here no ballot can land,
   * so the tally read next is final.
   */
  async beginClose(guildId: string, id: string, reason: string, closedBy: string | null, at: Date): Promise<boolean> {
    const { count } = await this.prisma.treaty.updateMany({
      where: { guildId, id, status: "open" },
      data: { status: "closing", closeReason: reason, closedBy, closedAt: at },
    });
    return count === 1;
  }

  /** Second step: the result. Also completes a close that a crash interrupted (the deadline job retries it). */
  async finishClose(
    guildId: string,
    id: string,
    data: { status: Exclude<TreatyStatus, "open" | "closing">; summary: string },
  ): Promise<void> {
    await this.prisma.treaty.updateMany({ where: { guildId, id, status: "closing" }, data });
  }

  /** Treaties open for votes, closing soonest first (the council's agenda). */
  async openTreaties(guildId: string): Promise<Treaty[]> {
    return (
      await this.prisma.treaty.findMany({ where: { guildId, status: "open" }, orderBy: { closesAt: "asc" }, take: 15 })
    ).map(toTreaty);
  }

  /** Treaties decided (or withdrawn) after a moment, oldest first. */
  async decidedSince(guildId: string, since: Date | null): Promise<Treaty[]> {
    const rows = await this.prisma.treaty.findMany({
      where: {
        guildId,
        status: { in: ["ratified", "rejected", "withdrawn"] },
        ...(since ? { closedAt: { gt: since } } : {}),
      },
      orderBy: { closedAt: "asc" },
      take: 15,
    });
    return rows.map(toTreaty);
  }

  async createDraft(
    guildId: string,
    userId: string,
    channelId: string,
    options: Record<string, unknown>,
  ): Promise<string> {
    const row = await this.prisma.treatyDraft.create({
      data: { guildId, userId, channelId, options: JSON.stringify(options) },
    });
    return row.id;
  }

  /** The options of an open form; kept until the treaty is proposed so a failed submit can be sent again. */
  async draft(
    guildId: string,
    id: string,
  ): Promise<{ userId: string; channelId: string; options: Record<string, unknown> } | undefined> {
    const row = await this.prisma.treatyDraft.findFirst({ where: { guildId, id } });
    return row
      ? { userId: row.userId, channelId: row.channelId, options: JSON.parse(row.options) as Record<string, unknown> }
      : undefined;
  }

  async deleteDraft(id: string): Promise<void> {
    await this.prisma.treatyDraft.deleteMany({ where: { id } });
  }

  /** Forms left open for more than a day are gone for good. */
  async pruneDrafts(before: Date): Promise<void> {
    await this.prisma.treatyDraft.deleteMany({ where: { createdAt: { lt: before } } });
  }

  /** Ratified treaties with a standing, for the factions' cards. */
  async ratifiedWithStanding(guildId: string): Promise<Treaty[]> {
    const rows = await this.prisma.treaty.findMany({
      where: { guildId, status: "ratified", standing: { not: null } },
      orderBy: { closedAt: "asc" },
    });
    return rows.map(toTreaty);
  }
}

function countOf(ballots: readonly { choice: string }[]): Count {
  const count: Count = { aye: 0, nay: 0, abstain: 0 };
  for (const ballot of ballots)
    if (ballot.choice === "aye" || ballot.choice === "nay" || ballot.choice === "abstain") count[ballot.choice] += 1;
  return count;
}

function toTreaty(row: TreatyRow): Treaty {
  return {
    id: row.id,
    guildId: row.guildId,
    number: row.number,
    title: row.title,
    terms: row.terms,
    proposerId: row.proposerId,
    parties: JSON.parse(row.parties) as string[],
    rule: row.rule as Rule,
    threshold: row.threshold as Threshold,
    quorum: row.quorum,
    standing: row.standing,
    status: row.status as TreatyStatus,
    opensAt: row.opensAt,
    closesAt: row.closesAt,
    closedAt: row.closedAt,
    closedBy: row.closedBy,
    closeReason: row.closeReason,
    summary: row.summary,
    channelId: row.channelId,
    messageId: row.messageId,
    resultMessageId: row.resultMessageId,
    loreEntryId: row.loreEntryId,
  };
}
