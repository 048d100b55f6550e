import { chunks, IN_LIST_MAX } from "../db/chunks.js";
import type { PrismaClient } from "../db/database.js";
import { isUniqueViolation } from "../db/errors.js";
import type {
  FactionEvent as EventRow,
  ServerFaction as FactionRow,
  FactionMember as MemberRow,
  Prisma,
  GuildSettings as SettingsRow,
} from "../generated/prisma/client.js";
import {
  DEFAULT_SETTINGS,
  type FactionAction,
  type FactionEvent,
  type GuildSettings,
  JOIN_POLICIES,
  type JoinPolicy,
  type Membership,
  type ServerFaction,
} from "./model.js";

type Tx = Prisma.TransactionClient;

/** A unique constraint said no: the member is already in, or a concurrent join took the slot first. */
export class ConstraintConflict extends Error {
  override name = "ConstraintConflict";
}

/** Runs a write; a unique-constraint refusal becomes a ConstraintConflict the service can act on. */
export async function conflictsAs<T>(message: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConstraintConflict(message);
    throw error;
  }
}

export interface NewEvent {
  guildId: string;
  action: FactionAction;
  factionId?: string | null;
  userId?: string | null;
  actorId?: string | null;
  detail?: Record<string, unknown>;
}

export interface JoinRequestRow {
  id: string;
  guildId: string;
  userId: string;
  factionId: string;
  status: "pending" | "approved" | "denied" | "cancelled";
  channelId: string | null;
  messageId: string | null;
}

/**
 * Named data functions for factions, memberships, requests and their history. Every query names the server:
 * ids that arrive from Discord (buttons, options) can never reach another server's rows.
 */
export class FactionStore {
  constructor(private readonly prisma: PrismaClient) {}

  async settings(guildId: string): Promise<GuildSettings> {
    const row = await this.prisma.guildSettings.findUnique({ where: { guildId } });
    return row ? toSettings(row) : { guildId, ...DEFAULT_SETTINGS };
  }

  async updateSettings(guildId: string, patch: Partial<Omit<GuildSettings, "guildId">>): Promise<GuildSettings> {
    const row = await this.prisma.guildSettings.upsert({
      where: { guildId },
      create: { guildId, ...DEFAULT_SETTINGS, ...patch },
      update: patch,
    });
    return toSettings(row);
  }

  async factions(guildId: string): Promise<ServerFaction[]> {
    return (await this.prisma.serverFaction.findMany({ where: { guildId }, orderBy: { name: "asc" } })).map(toFaction);
  }

  async factionById(guildId: string, id: string): Promise<ServerFaction | undefined> {
    const row = await this.prisma.serverFaction.findFirst({ where: { guildId, id } });
    return row ? toFaction(row) : undefined;
  }

  async factionBySlug(guildId: string, slug: string): Promise<ServerFaction | undefined> {
    const row = await this.prisma.serverFaction.findUnique({ where: { guildId_slug: { guildId, slug } } });
    return row ? toFaction(row) : undefined;
  }

  /** The server's row for a canon faction, created the first time the server configures it or someone joins. */
  async ensureCanonFaction(
    guildId: string,
    canon: { slug: string; name: string; nameKey: string },
  ): Promise<ServerFaction> {
    const existing = await this.factionBySlug(guildId, canon.slug);
    if (existing) return existing;
    try {
      const row = await this.prisma.serverFaction.create({
        data: {
          guildId,
          slug: canon.slug,
          name: canon.name,
          nameKey: canon.nameKey,
          canonSlug: canon.slug,
          isCanon: true,
        },
      });
      return toFaction(row);
    } catch (error) {
      // Two members joining the same unconfigured faction at once: the other one created it.
      if (!isUniqueViolation(error)) throw error;
      const row = await this.factionBySlug(guildId, canon.slug);
      if (!row) throw error;
      return row;
    }
  }

  async createFaction(
    data: Omit<ServerFaction, "id" | "archivedAt" | "ownPolicy"> & {
      nameKey: string;
      ownPolicy: JoinPolicy | null;
      createdBy: string;
    },
  ): Promise<ServerFaction> {
    const { ownPolicy, ...rest } = data;
    return conflictsAs("a faction of this server already has that name", () =>
      this.prisma.$transaction(async (tx) => {
        const row = await tx.serverFaction.create({ data: { ...rest, joinPolicy: ownPolicy } });
        await addEvent(tx, {
          guildId: data.guildId,
          factionId: row.id,
          actorId: data.createdBy,
          action: "created",
          detail: { name: row.name },
        });
        return toFaction(row);
      }),
    );
  }

  async updateFaction(
    guildId: string,
    id: string,
    patch: Partial<
      Pick<
        FactionRow,
        "name" | "nameKey" | "description" | "notes" | "color" | "emoji" | "joinPolicy" | "roleId" | "archivedAt"
      >
    >,
    event: Omit<NewEvent, "guildId" | "factionId">,
  ): Promise<ServerFaction> {
    return conflictsAs("a faction of this server already has that name", () =>
      this.prisma.$transaction(async (tx) => {
        const { count } = await tx.serverFaction.updateMany({ where: { guildId, id }, data: patch });
        if (count === 0) throw new Error(`faction ${id} is not on server ${guildId}`);
        await addEvent(tx, { ...event, guildId, factionId: id });
        return toFaction(await tx.serverFaction.findUniqueOrThrow({ where: { id } }));
      }),
    );
  }

  /** The member's memberships on the server, departed ones included only when asked. */
  async memberships(
    guildId: string,
    userId: string,
    options: { includeDeparted?: boolean } = {},
  ): Promise<Membership[]> {
    const rows = await this.prisma.factionMember.findMany({
      where: { guildId, userId, ...(options.includeDeparted ? {} : { departedAt: null }) },
      orderBy: { slot: "asc" },
    });
    return rows.map(toMembership);
  }

  /** Current memberships of many members at once (a burst of ballots checks its voters in one read per chunk). */
  async membershipsOfMany(guildId: string, userIds: readonly string[]): Promise<Map<string, Membership[]>> {
    const byUser = new Map<string, Membership[]>();
    for (const chunk of chunks([...new Set(userIds)], IN_LIST_MAX)) {
      const rows = await this.prisma.factionMember.findMany({
        where: { guildId, userId: { in: chunk }, departedAt: null },
        orderBy: { slot: "asc" },
      });
      for (const row of rows) {
        const list = byUser.get(row.userId) ?? [];
        list.push(toMembership(row));
        byUser.set(row.userId, list);
      }
    }
    return byUser;
  }

  async roster(
    guildId: string,
    factionId: string,
    page: { offset: number; limit: number },
  ): Promise<{ members: Membership[]; total: number }> {
    const where = { guildId, factionId, departedAt: null };
    const [rows, total] = await Promise.all([
      this.prisma.factionMember.findMany({
        where,
        orderBy: [{ isLeader: "desc" }, { joinedAt: "asc" }, { userId: "asc" }],
        skip: page.offset,
        take: page.limit,
      }),
      this.prisma.factionMember.count({ where }),
    ]);
    return { members: rows.map(toMembership), total };
  }

  async leaders(guildId: string, factionId: string): Promise<string[]> {
    const rows = await this.prisma.factionMember.findMany({
      where: { guildId, factionId, isLeader: true, departedAt: null },
      orderBy: { joinedAt: "asc" },
      select: { userId: true },
    });
    return rows.map((row) => row.userId);
  }

  /** Every member (present or departed) of a faction, for role resyncs and archiving. */
  async allMembers(guildId: string, factionId: string): Promise<Membership[]> {
    return (await this.prisma.factionMember.findMany({ where: { guildId, factionId } })).map(toMembership);
  }

  /** Distinct members with any membership on the server: who to check when reconciling after downtime. */
  async memberUserIds(guildId: string): Promise<string[]> {
    const rows = await this.prisma.factionMember.findMany({
      where: { guildId },
      distinct: ["userId"],
      select: { userId: true },
    });
    return rows.map((row) => row.userId);
  }

  async guildIdsWithMembers(): Promise<string[]> {
    const rows = await this.prisma.factionMember.findMany({ distinct: ["guildId"], select: { guildId: true } });
    return rows.map((row) => row.guildId);
  }

  /** Adds a membership in the given slot. The unique constraints turn a double join or a race into ConstraintConflict. */
  async join(
    membership: { guildId: string; userId: string; factionId: string; slot: number },
    event: Omit<NewEvent, "guildId">,
  ): Promise<Membership> {
    return conflictsAs("membership or slot already taken", () =>
      this.prisma.$transaction(async (tx) => {
        const row = await tx.factionMember.create({ data: membership });
        await addEvent(tx, { ...event, guildId: membership.guildId });
        return toMembership(row);
      }),
    );
  }

  /** Makes a change and records its event in one transaction; false (and no event) when nothing matched. */
  private changeAndRecord(event: NewEvent, change: (tx: Tx) => Promise<{ count: number }>): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      if ((await change(tx)).count === 0) return false;
      await addEvent(tx, event);
      return true;
    });
  }

  /** Ends a membership; false when there was none (already left, or a concurrent leave won). */
  async leave(guildId: string, userId: string, factionId: string, event: Omit<NewEvent, "guildId">): Promise<boolean> {
    return this.changeAndRecord({ ...event, guildId }, (tx) =>
      tx.factionMember.deleteMany({ where: { guildId, userId, factionId } }),
    );
  }

  /** Moves a member from one faction to another in one step: same slot, joined now. */
  async move(
    guildId: string,
    userId: string,
    fromId: string,
    toId: string,
    event: Omit<NewEvent, "guildId">,
  ): Promise<boolean> {
    return conflictsAs("already a member of the target faction", () =>
      this.prisma.$transaction(async (tx) => {
        const current = await tx.factionMember.findFirst({ where: { guildId, userId, factionId: fromId } });
        if (!current) return false;
        await tx.factionMember.delete({ where: { id: current.id } });
        await tx.factionMember.create({
          data: { guildId, userId, factionId: toId, slot: current.slot, departedAt: current.departedAt },
        });
        await addEvent(tx, { ...event, guildId });
        return true;
      }),
    );
  }

  async setLeader(
    guildId: string,
    userId: string,
    factionId: string,
    isLeader: boolean,
    event: Omit<NewEvent, "guildId">,
  ): Promise<boolean> {
    return this.changeAndRecord({ ...event, guildId }, (tx) =>
      tx.factionMember.updateMany({ where: { guildId, userId, factionId }, data: { isLeader } }),
    );
  }

  /** The member left the Discord server: memberships stay (history), but stop counting. */
  async markDeparted(guildId: string, userId: string, at: Date): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.factionMember.updateMany({
        where: { guildId, userId, departedAt: null },
        data: { departedAt: at },
      });
      if (count > 0) await addEvent(tx, { guildId, userId, action: "departed-server", detail: { memberships: count } });
      return count;
    });
  }

  async markReturned(guildId: string, userId: string): Promise<Membership[]> {
    return this.prisma.$transaction(async (tx) => {
      const departed = await tx.factionMember.findMany({ where: { guildId, userId, departedAt: { not: null } } });
      if (departed.length === 0) return [];
      await tx.factionMember.updateMany({
        where: { guildId, userId, departedAt: { not: null } },
        data: { departedAt: null },
      });
      await addEvent(tx, { guildId, userId, action: "returned-server", detail: { memberships: departed.length } });
      return departed.map((row) => toMembership({ ...row, departedAt: null }));
    });
  }

  async pendingRequest(guildId: string, userId: string, factionId: string): Promise<JoinRequestRow | undefined> {
    const row = await this.prisma.joinRequest.findUnique({
      where: { pendingKey: pendingKey(guildId, userId, factionId) },
    });
    return row ? toRequest(row) : undefined;
  }

  async requestById(guildId: string, id: string): Promise<JoinRequestRow | undefined> {
    const row = await this.prisma.joinRequest.findFirst({ where: { guildId, id } });
    return row ? toRequest(row) : undefined;
  }

  async createRequest(guildId: string, userId: string, factionId: string): Promise<JoinRequestRow> {
    return conflictsAs("a request is already pending", () =>
      this.prisma.$transaction(async (tx) => {
        const row = await tx.joinRequest.create({
          data: { guildId, userId, factionId, status: "pending", pendingKey: pendingKey(guildId, userId, factionId) },
        });
        await addEvent(tx, { guildId, userId, factionId, actorId: userId, action: "requested" });
        return toRequest(row);
      }),
    );
  }

  async attachRequestMessage(id: string, channelId: string, messageId: string): Promise<void> {
    await this.prisma.joinRequest.update({ where: { id }, data: { channelId, messageId } });
  }

  /**
   * Decides a pending request exactly once: of two leaders clicking at the same moment, one wins and the other is
   * told it was already decided.
   */
  async decideRequest(
    guildId: string,
    id: string,
    status: "approved" | "denied" | "cancelled",
    decidedBy: string,
    at: Date,
  ): Promise<boolean> {
    const { count } = await this.prisma.joinRequest.updateMany({
      where: { guildId, id, status: "pending" },
      data: { status, pendingKey: null, decidedBy, decidedAt: at },
    });
    return count === 1;
  }

  async addEvent(event: NewEvent): Promise<void> {
    await addEvent(this.prisma, event);
  }

  /** Events of some kinds after a moment (the council's "since the last session"). */
  async eventsSince(guildId: string, since: Date | null, actions: readonly FactionAction[]): Promise<FactionEvent[]> {
    const rows = await this.prisma.factionEvent.findMany({
      where: { guildId, action: { in: [...actions] }, ...(since ? { createdAt: { gt: since } } : {}) },
      orderBy: { createdAt: "asc" },
      take: 500,
    });
    return rows.map(toEvent);
  }

  async events(
    guildId: string,
    filter: { userId?: string; offset: number; limit: number },
  ): Promise<{ events: FactionEvent[]; total: number }> {
    const where = { guildId, ...(filter.userId ? { userId: filter.userId } : {}) };
    const [rows, total] = await Promise.all([
      this.prisma.factionEvent.findMany({
        where,
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        skip: filter.offset,
        take: filter.limit,
      }),
      this.prisma.factionEvent.count({ where }),
    ]);
    return {
      events: rows.map(toEvent),
      total,
    };
  }
}

async function addEvent(db: Tx | PrismaClient, event: NewEvent): Promise<void> {
  await db.factionEvent.create({
    data: {
      guildId: event.guildId,
      factionId: event.factionId ?? null,
      userId: event.userId ?? null,
      actorId: event.actorId ?? null,
      action: event.action,
      detail: JSON.stringify(event.detail ?? {}),
    },
  });
}

function pendingKey(guildId: string, userId: string, factionId: string): string {
  return `${guildId}:${userId}:${factionId}`;
}

function asPolicy(value: string | null): JoinPolicy | null {
  return value !== null && (JOIN_POLICIES as readonly string[]).includes(value) ? (value as JoinPolicy) : null;
}

function toSettings(row: SettingsRow): GuildSettings {
  return {
    guildId: row.guildId,
    councilRoleId: row.councilRoleId,
    timezone: row.timezone,
    maxFactions: row.maxFactions,
    canonJoinPolicy: asPolicy(row.canonJoinPolicy) ?? "open",
    approvalChannelId: row.approvalChannelId,
    treatyVoters: row.treatyVoters === "anyone" ? "anyone" : "factions",
  };
}

function toFaction(row: FactionRow): ServerFaction {
  return {
    id: row.id,
    guildId: row.guildId,
    slug: row.slug,
    name: row.name,
    description: row.description,
    notes: row.notes,
    color: row.color,
    emoji: row.emoji,
    canonSlug: row.canonSlug,
    isCanon: row.isCanon,
    ownPolicy: asPolicy(row.joinPolicy),
    roleId: row.roleId,
    archivedAt: row.archivedAt,
  };
}

function toMembership(row: MemberRow): Membership {
  return {
    guildId: row.guildId,
    userId: row.userId,
    factionId: row.factionId,
    slot: row.slot,
    isLeader: row.isLeader,
    joinedAt: row.joinedAt,
    departedAt: row.departedAt,
  };
}

function toRequest(row: {
  id: string;
  guildId: string;
  userId: string;
  factionId: string;
  status: string;
  channelId: string | null;
  messageId: string | null;
}): JoinRequestRow {
  return {
    id: row.id,
    guildId: row.guildId,
    userId: row.userId,
    factionId: row.factionId,
    status: row.status as JoinRequestRow["status"],
    channelId: row.channelId,
    messageId: row.messageId,
  };
}

function toEvent(row: EventRow): FactionEvent {
  return {
    id: row.id,
    guildId: row.guildId,
    factionId: row.factionId,
    userId: row.userId,
    actorId: row.actorId,
    action: row.action as FactionAction,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    createdAt: row.createdAt,
  };
}
