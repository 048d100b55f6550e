import type { PrismaClient } from "../db/database.js";
import { isUniqueViolation } from "../factions/faction-store.js";
import type { Ballot as BallotRow, Treaty as TreatyRow } from "../generated/prisma/client.js";
import type { Choice, Count, Rule, Threshold } from "./outcome.js";

export const TREATY_STATUSES = ["open", "ratified", "rejected", "withdrawn"] as const;
export type TreatyStatus = (typeof TREATY_STATUSES)[number];

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
   * Records or changes a member's ballot, only while the treaty is open and before its deadline. The unique
   * (treaty, member) pair means a member has one ballot however many clicks arrive at once.
   */
  async cast(
    guildId: string,
    treatyId: string,
    userId: string,
    choice: Choice,
    now: Date,
  ): Promise<{ previous: Choice | null } | "closed"> {
    return this.prisma.$transaction(async (tx) => {
      const treaty = await tx.treaty.findFirst({
        where: { guildId, id: treatyId },
        select: { status: true, closesAt: true },
      });
      if (!treaty || treaty.status !== "open" || treaty.closesAt <= now) return "closed" as const;
      const existing = await tx.ballot.findUnique({ where: { treatyId_userId: { treatyId, userId } } });
      if (existing) {
        if (existing.choice !== choice) await tx.ballot.update({ where: { id: existing.id }, data: { choice } });
        return { previous: existing.choice as Choice };
      }
      try {
        await tx.ballot.create({ data: { treatyId, guildId, userId, choice } });
      } catch (error) {
        // A second click of the same member raced this one: their ballot exists now; make it this choice.
        if (!isUniqueViolation(error)) throw error;
        await tx.ballot.update({ where: { treatyId_userId: { treatyId, userId } }, data: { choice } });
      }
      return { previous: null };
    });
  }

  async ballotOf(treatyId: string, userId: string): Promise<Choice | null> {
    const row = await this.prisma.ballot.findUnique({
      where: { treatyId_userId: { treatyId, userId } },
      select: { choice: true },
    });
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

  /** Closes an open treaty exactly once: of two closers (deadline and early close), one wins. */
  async close(
    guildId: string,
    id: string,
    data: { status: Exclude<TreatyStatus, "open">; summary: string; reason: string; closedBy: string | null; at: Date },
  ): Promise<boolean> {
    const { count } = await this.prisma.treaty.updateMany({
      where: { guildId, id, status: "open" },
      data: {
        status: data.status,
        summary: data.summary,
        closeReason: data.reason,
        closedBy: data.closedBy,
        closedAt: data.at,
      },
    });
    return count === 1;
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
