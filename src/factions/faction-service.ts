import { UserError } from "../errors.js";
import type { Logger } from "../logging/logger.js";
import type { LoreService } from "../lore/lore-service.js";
import { CANON_SCOPE, type LoreDraft, type LoreHeader } from "../lore/model.js";
import { normalize, slugify } from "../lore/normalize.js";
import type { JobStore } from "../scheduler/job-store.js";
import type { Clock } from "../time/clock.js";
import { ConstraintConflict, type FactionStore, type JoinRequestRow } from "./faction-store.js";
import type { FactionEvent, GuildSettings, JoinPolicy, Membership, RoleProblem, ServerFaction } from "./model.js";
import type { RoleGateway } from "./roles.js";
import {
  decideJoin,
  decidePlacement,
  effectivePolicy,
  freeSlot,
  roleProblemText,
  validateFactionName,
} from "./rules.js";

export type JoinResult =
  | { kind: "joined"; faction: ServerFaction; roleProblem: RoleProblem | null }
  | { kind: "requested"; faction: ServerFaction; request: JoinRequestRow };

export interface RoleReport {
  granted: number;
  revoked: number;
  problems: { factionName: string; roleId: string; problem: RoleProblem }[];
  /** The member list could not be read (no Server Members intent): roles given by hand could not be taken back. */
  holdersUnknown?: boolean;
}

export interface FactionCard {
  faction: ServerFaction;
  policy: JoinPolicy;
  rosterSize: number;
  leaders: string[];
}

const JOIN_ATTEMPTS = 3;

/** The job that repairs a server's faction roles after Discord refused a change. */
export const RESYNC_JOB = "role-resync";
/** How long after a refused role change the resync runs (time for Discord, or an admin, to set things right). */
export const RESYNC_DELAY_MS = 10 * 60_000;

/**
 * Player factions on a server: joining, leaving, approvals, moderation, roles, history. Discord-free: roles go
 * through a RoleGateway, answers are values or UserErrors.
 */
export class FactionService {
  constructor(
    private readonly store: FactionStore,
    private readonly lore: LoreService,
    private readonly roles: RoleGateway,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Where a resync after a refused role change is queued (absent in tools that only read). */
    private readonly jobs?: JobStore,
  ) {}

  /**
   * A role change Discord refused is tried again by a resync of the server's roles a little later, run once by
   * whichever process claims the job. Failures in one window share one resync.
   */
  private async queueResync(guildId: string): Promise<void> {
    if (!this.jobs) return;
    const dueAt = new Date(
      Math.ceil((this.clock.now().getTime() + RESYNC_DELAY_MS) / RESYNC_DELAY_MS) * RESYNC_DELAY_MS,
    );
    await this.jobs.schedule({
      key: `${RESYNC_JOB}:${guildId}:${dueAt.toISOString()}`,
      kind: RESYNC_JOB,
      guildId,
      dueAt,
    });
  }

  settings(guildId: string): Promise<GuildSettings> {
    return this.store.settings(guildId);
  }

  async updateSettings(
    guildId: string,
    actorId: string,
    patch: Partial<Omit<GuildSettings, "guildId">>,
  ): Promise<GuildSettings> {
    const settings = await this.store.updateSettings(guildId, patch);
    await this.store.addEvent({ guildId, actorId, action: "settings-changed", detail: patch });
    return settings;
  }

  /** Every faction of the server: configured rows and canon factions it has not touched yet, in name order. */
  async list(guildId: string, options: { includeArchived?: boolean } = {}): Promise<ServerFaction[]> {
    const rows = await this.store.factions(guildId);
    const bySlug = new Map(rows.map((row) => [row.slug, row]));
    const canon = this.lore.index
      .list(null, ["faction"])
      .filter((entry) => !bySlug.has(entry.slug))
      .map((entry) => virtualCanon(guildId, entry));
    return [...rows, ...canon]
      .filter((f) => options.includeArchived || !f.archivedAt)
      .sort((a, b) => a.name.localeCompare(b.name, "en"));
  }

  /** The server's view of a faction lore entry (canon or the server's own). */
  async forEntry(guildId: string, entry: LoreHeader): Promise<ServerFaction | undefined> {
    if (entry.kind !== "faction") return undefined;
    if (entry.scope !== CANON_SCOPE && entry.scope !== guildId) return undefined;
    const row = await this.store.factionBySlug(guildId, entry.slug);
    if (row) return row;
    return entry.scope === CANON_SCOPE ? virtualCanon(guildId, entry) : undefined;
  }

  async byId(guildId: string, id: string): Promise<ServerFaction | undefined> {
    return this.store.factionById(guildId, id);
  }

  /** The lore entry that carries a faction's card. */
  entryOf(faction: ServerFaction): LoreHeader | undefined {
    return faction.isCanon
      ? this.lore.bySlug(faction.slug, null)
      : this.lore.index.getBySlug(faction.guildId, faction.slug);
  }

  /**
   * Resolves what a member sent for a faction option: an autocomplete value (a lore entry id) or free text.
   * Free text must name one faction surely; otherwise the member is told which ones it could be.
   */
  async resolve(guildId: string, input: string): Promise<ServerFaction> {
    const direct = this.lore.visible(input, guildId, ["faction"]);
    const entry = direct ?? this.resolveText(guildId, input);
    const faction = await this.forEntry(guildId, entry);
    if (!faction) throw new UserError("unknown-faction", `${entry.name} is not a faction of this server.`);
    return faction;
  }

  private resolveText(guildId: string, input: string): LoreHeader {
    const resolution = this.lore.resolve(input, guildId, ["faction"]);
    if (resolution.kind === "found") return resolution.entry;
    const names = (resolution.kind === "ambiguous" ? resolution.candidates : resolution.suggestions)
      .slice(0, 5)
      .map((e) => e.name);
    if (names.length === 0)
      throw new UserError("unknown-faction", "No faction has that name. Pick one from the suggestions as you type.");
    throw new UserError(
      resolution.kind === "ambiguous" ? "ambiguous-faction" : "unknown-faction",
      `Which faction do you mean: ${names.join(", ")}? Pick one from the suggestions as you type.`,
    );
  }

  async card(faction: ServerFaction): Promise<FactionCard> {
    const settings = await this.store.settings(faction.guildId);
    if (!faction.id) return { faction, policy: effectivePolicy(faction, settings), rosterSize: 0, leaders: [] };
    const [{ total }, leaders] = await Promise.all([
      this.store.roster(faction.guildId, faction.id, { offset: 0, limit: 0 }),
      this.store.leaders(faction.guildId, faction.id),
    ]);
    return { faction, policy: effectivePolicy(faction, settings), rosterSize: total, leaders };
  }

  /** Joins, or files a request when the faction needs approval. Concurrent joins end consistent (constraints). */
  async join(guildId: string, userId: string, target: ServerFaction): Promise<JoinResult> {
    for (let attempt = 1; ; attempt += 1) {
      const faction = await this.materialize(target);
      const factionId = faction.id as string;
      const [settings, all, pending] = await Promise.all([
        this.store.settings(guildId),
        this.store.memberships(guildId, userId, { includeDeparted: true }),
        this.store.pendingRequest(guildId, userId, factionId),
      ]);
      const counted = await this.counted(guildId, all);
      const ruled = decideJoin(faction, settings, counted, pending !== undefined);
      // Memberships of archived factions still hold their slots; take one that is free among all of them.
      const decision = ruled.kind === "join" ? { ...ruled, slot: freeSlot(all, settings.maxFactions) } : ruled;
      if (decision.kind === "refuse") throw new UserError(decision.code, decision.message);
      try {
        if (decision.kind === "request") {
          const request = await this.store.createRequest(guildId, userId, factionId);
          return { kind: "requested", faction, request };
        }
        await this.store.join(
          { guildId, userId, factionId, slot: decision.slot },
          { userId, factionId, actorId: userId, action: "joined" },
        );
        return { kind: "joined", faction, roleProblem: await this.grant(faction, userId) };
      } catch (error) {
        // Another join of the same member got there first; look again, and the rules say what is true now.
        if (!(error instanceof ConstraintConflict) || attempt >= JOIN_ATTEMPTS) {
          if (error instanceof ConstraintConflict)
            throw new UserError(
              "busy",
              "Your membership changed while this was being done. Check `/faction whois` and try again.",
            );
          throw error;
        }
      }
    }
  }

  /** Leaves one faction (the only one when the member has exactly one). */
  async leave(
    guildId: string,
    userId: string,
    target?: ServerFaction,
  ): Promise<{ faction: ServerFaction; roleProblem: RoleProblem | null }> {
    const current = await this.store.memberships(guildId, userId, { includeDeparted: true });
    if (current.length === 0) throw new UserError("not-member", "You do not belong to any faction on this server.");
    let membership: Membership | undefined;
    if (target) {
      membership = current.find((m) => m.factionId === target.id);
      if (!membership) throw new UserError("not-member", `You are not a member of ${target.name}.`);
    } else if (current.length === 1) membership = current[0];
    else throw new UserError("which-faction", "You belong to several factions: say which one to leave.");
    const faction = membership && (await this.store.factionById(guildId, membership.factionId));
    if (!membership || !faction) throw new UserError("not-member", "You do not belong to that faction.");
    const left = await this.store.leave(guildId, userId, faction.id as string, {
      userId,
      factionId: faction.id,
      actorId: userId,
      action: "left",
    });
    if (!left) throw new UserError("not-member", `You had already left ${faction.name}.`);
    return { faction, roleProblem: await this.revoke(faction, userId) };
  }

  /** Approves or denies a pending request: leaders of the faction, the council role or Manage Server. */
  async decide(
    guildId: string,
    requestId: string,
    approve: boolean,
    deciderId: string,
    deciderIsAdmin: boolean,
  ): Promise<{ request: JoinRequestRow; faction: ServerFaction; joined: JoinResult | null }> {
    const request = await this.store.requestById(guildId, requestId);
    if (!request) throw new UserError("request-gone", "This request no longer exists.");
    const faction = await this.store.factionById(guildId, request.factionId);
    if (!faction) throw new UserError("request-gone", "The faction of this request no longer exists.");
    if (request.status !== "pending") throw new UserError("decided", `This request was already ${request.status}.`);
    const leaders = await this.store.leaders(guildId, request.factionId);
    if (!deciderIsAdmin && !leaders.includes(deciderId))
      throw new UserError(
        "not-allowed",
        `Only leaders of ${faction.name}, the council role or members with Manage Server can decide this.`,
      );

    if (!approve) {
      if (!(await this.store.decideRequest(guildId, requestId, "denied", deciderId, this.clock.now())))
        throw new UserError("decided", "Someone else decided this request a moment ago.");
      await this.store.addEvent({
        guildId,
        userId: request.userId,
        factionId: faction.id,
        actorId: deciderId,
        action: "denied",
      });
      return { request: { ...request, status: "denied" }, faction, joined: null };
    }
    // Approval re-checks the rules at this moment (the member may have joined elsewhere since asking).
    const [settings, current] = await Promise.all([
      this.store.settings(guildId),
      this.store.memberships(guildId, request.userId, { includeDeparted: true }),
    ]);
    const decision = decidePlacement(faction, settings, current);
    if (decision.kind === "refuse") {
      // The rules word refusals for the member ("Leave it first…"); the decider needs them about the member.
      const reason =
        decision.code === "limit"
          ? `the member already belongs to ${current.length === 1 ? "a faction" : `${current.length} factions`} on this server, the most it allows.`
          : decision.code === "already-member"
            ? `the member is already in ${faction.name}.`
            : decision.message;
      throw new UserError(decision.code, `This request cannot be approved now: ${reason}`);
    }
    if (!(await this.store.decideRequest(guildId, requestId, "approved", deciderId, this.clock.now())))
      throw new UserError("decided", "Someone else decided this request a moment ago.");
    try {
      await this.store.join(
        { guildId, userId: request.userId, factionId: faction.id as string, slot: decision.slot },
        { userId: request.userId, factionId: faction.id, actorId: deciderId, action: "approved" },
      );
    } catch (error) {
      if (error instanceof ConstraintConflict)
        throw new UserError("busy", "The member's factions changed meanwhile; ask them to request again.");
      throw error;
    }
    const roleProblem = await this.grant(faction, request.userId);
    return { request: { ...request, status: "approved" }, faction, joined: { kind: "joined", faction, roleProblem } };
  }

  async cancelRequest(guildId: string, requestId: string, userId: string): Promise<void> {
    const request = await this.store.requestById(guildId, requestId);
    if (!request || request.userId !== userId)
      throw new UserError("not-yours", "Only the member who asked can withdraw this request.");
    if (!(await this.store.decideRequest(guildId, requestId, "cancelled", userId, this.clock.now())))
      throw new UserError("decided", "This request was already decided.");
  }

  attachRequestMessage(requestId: string, channelId: string, messageId: string): Promise<void> {
    return this.store.attachRequestMessage(requestId, channelId, messageId);
  }

  /** Moderation: puts a member into a faction, replacing the membership in `from` (or their only one). */
  async move(guildId: string, actorId: string, userId: string, to: ServerFaction, from?: ServerFaction) {
    const target = await this.materialize(to);
    if (target.archivedAt) throw new UserError("archived", `${target.name} is archived.`);
    const current = await this.store.memberships(guildId, userId, { includeDeparted: true });
    const source = from ? current.find((m) => m.factionId === from.id) : current.length === 1 ? current[0] : undefined;
    if (current.some((m) => m.factionId === target.id))
      throw new UserError("already-member", `<@${userId}> is already in ${target.name}.`);
    if (!source) {
      if (current.length > 1)
        throw new UserError(
          "which-faction",
          "The member belongs to several factions: say which one to move them from.",
        );
      // No faction yet: an admin may place them directly, whatever the join policy.
      const settings = await this.store.settings(guildId);
      const decision = decidePlacement(target, settings, current);
      if (decision.kind === "refuse") throw new UserError(decision.code, decision.message.replace(/^You /, "They "));
      await this.store.join(
        { guildId, userId, factionId: target.id as string, slot: decision.slot },
        {
          userId,
          factionId: target.id,
          actorId,
          action: "moved",
          detail: { to: target.name },
        },
      );
      return { from: null, to: target, problems: problemsOf([[target, await this.grant(target, userId)]]) };
    }
    const fromFaction = await this.store.factionById(guildId, source.factionId);
    const moved = await this.store.move(guildId, userId, source.factionId, target.id as string, {
      userId,
      factionId: target.id,
      actorId,
      action: "moved",
      detail: { from: fromFaction?.name, to: target.name },
    });
    if (!moved) throw new UserError("busy", "The member's factions changed meanwhile; try again.");
    // Each problem keeps its faction and role: the admin must hear which role could not be changed.
    const problems = problemsOf([
      [fromFaction, fromFaction ? await this.revoke(fromFaction, userId) : null],
      [target, await this.grant(target, userId)],
    ]);
    return { from: fromFaction ?? null, to: target, problems };
  }

  /** Moderation: removes a member from one faction, or from all of them. */
  async remove(guildId: string, actorId: string, userId: string, from?: ServerFaction) {
    const current = await this.store.memberships(guildId, userId, { includeDeparted: true });
    const targets = from ? current.filter((m) => m.factionId === from.id) : current;
    if (targets.length === 0)
      throw new UserError(
        "not-member",
        from ? `<@${userId}> is not in ${from.name}.` : `<@${userId}> belongs to no faction.`,
      );
    const removed: ServerFaction[] = [];
    const problems: RoleReport["problems"] = [];
    for (const membership of targets) {
      const faction = await this.store.factionById(guildId, membership.factionId);
      if (!faction) continue;
      const ok = await this.store.leave(guildId, userId, membership.factionId, {
        userId,
        factionId: faction.id,
        actorId,
        action: "removed",
      });
      if (!ok) continue;
      removed.push(faction);
      problems.push(...problemsOf([[faction, await this.revoke(faction, userId)]]));
    }
    return { removed, problems };
  }

  async setLeader(
    guildId: string,
    actorId: string,
    faction: ServerFaction,
    userId: string,
    isLeader: boolean,
  ): Promise<void> {
    if (!faction.id) throw new UserError("not-member", `<@${userId}> is not a member of ${faction.name}.`);
    const ok = await this.store.setLeader(guildId, userId, faction.id, isLeader, {
      userId,
      factionId: faction.id,
      actorId,
      action: isLeader ? "leader-added" : "leader-removed",
    });
    if (!ok)
      throw new UserError("not-member", `<@${userId}> is not a member of ${faction.name}; leaders must be members.`);
  }

  async roster(faction: ServerFaction, page: number, size: number) {
    if (!faction.id) return { members: [], total: 0 };
    return this.store.roster(faction.guildId, faction.id, { offset: page * size, limit: size });
  }

  /**
   * Memberships that count against the server's limit: archived factions keep their rosters readable but no longer
   * hold a member back from joining another.
   */
  private async counted(guildId: string, all: Membership[]): Promise<Membership[]> {
    if (all.length === 0) return all;
    const archived = new Set((await this.store.factions(guildId)).filter((f) => f.archivedAt).map((f) => f.id));
    return all.filter((m) => !archived.has(m.factionId));
  }

  /** A member's present memberships (not those kept while they are away from the server). */
  async membershipsOf(guildId: string, userId: string): Promise<Membership[]> {
    return this.store.memberships(guildId, userId);
  }

  /** Current memberships of many members, by member (those in no faction are absent). */
  membershipsOfMany(guildId: string, userIds: readonly string[]): Promise<Map<string, Membership[]>> {
    return this.store.membershipsOfMany(guildId, userIds);
  }

  /** A member's memberships with their factions' names, without the history (autocomplete asks this per keystroke). */
  async membershipsNamed(guildId: string, userId: string) {
    const memberships = await this.store.memberships(guildId, userId, { includeDeparted: true });
    if (memberships.length === 0) return [];
    const names = await this.namesById(guildId);
    return memberships.map((m) => ({ ...m, factionName: names.get(m.factionId) ?? "a removed faction" }));
  }

  /** A member's current factions and their history on this server. */
  async whois(guildId: string, userId: string) {
    const [memberships, history] = await Promise.all([
      this.store.memberships(guildId, userId, { includeDeparted: true }),
      this.store.events(guildId, { userId, offset: 0, limit: 15 }),
    ]);
    const factions = await this.namesById(guildId);
    return {
      memberships: memberships.map((m) => ({ ...m, factionName: factions.get(m.factionId) ?? "a removed faction" })),
      history: history.events,
      factionNames: factions,
    };
  }

  async auditLog(guildId: string, filter: { userId?: string; page: number; size: number }) {
    const { events, total } = await this.store.events(guildId, {
      ...(filter.userId ? { userId: filter.userId } : {}),
      offset: filter.page * filter.size,
      limit: filter.size,
    });
    return { events, total, factionNames: await this.namesById(guildId) };
  }

  private async namesById(guildId: string): Promise<Map<string, string>> {
    return new Map((await this.store.factions(guildId)).map((f) => [f.id as string, f.name]));
  }

  /** Admin: a faction of the server's own, optionally based on a canon faction whose lore it inherits. */
  async create(
    guildId: string,
    actorId: string,
    input: {
      name: string;
      description: string;
      color: number | null;
      emoji: string | null;
      basedOn: LoreHeader | null;
      policy: JoinPolicy | null;
    },
  ): Promise<ServerFaction> {
    const name = validateFactionName(input.name);
    await this.assertNameFree(guildId, name);
    const slug = await this.freeSlug(guildId, name);
    if (input.basedOn && (input.basedOn.kind !== "faction" || input.basedOn.scope !== CANON_SCOPE))
      throw new UserError("bad-base", "A faction can only be based on a canon faction.");
    let faction: ServerFaction;
    try {
      faction = await this.store.createFaction({
        guildId,
        slug,
        name,
        nameKey: normalize(name),
        description: input.description,
        notes: "",
        color: input.color,
        emoji: input.emoji,
        canonSlug: input.basedOn?.slug ?? null,
        isCanon: false,
        ownPolicy: input.policy,
        roleId: null,
        createdBy: actorId,
      });
    } catch (error) {
      if (error instanceof ConstraintConflict)
        throw new UserError("duplicate", `This server already has a faction called ${name}.`);
      throw error;
    }
    await this.saveLore(faction);
    return faction;
  }

  /** Admin: edits name, description, notes, colour, emoji. Canon factions keep their canon name. */
  async edit(
    guildId: string,
    actorId: string,
    target: ServerFaction,
    patch: { name?: string; description?: string; notes?: string; color?: number | null; emoji?: string | null },
  ): Promise<ServerFaction> {
    const faction = await this.materialize(target);
    const data: Parameters<FactionStore["updateFaction"]>[2] = {};
    if (patch.name !== undefined) {
      if (faction.isCanon)
        throw new UserError("canon-name", "Canon factions keep their names; create your own faction to use another.");
      const name = validateFactionName(patch.name);
      if (normalize(name) !== normalize(faction.name)) await this.assertNameFree(guildId, name);
      data.name = name;
      data.nameKey = normalize(name);
    }
    if (patch.description !== undefined) {
      if (faction.isCanon)
        throw new UserError(
          "canon-description",
          "A canon faction's description comes from the lore; use notes for this server's own words.",
        );
      data.description = patch.description;
    }
    if (patch.notes !== undefined) data.notes = patch.notes;
    if (patch.color !== undefined) data.color = patch.color;
    if (patch.emoji !== undefined) data.emoji = patch.emoji;
    if (Object.keys(data).length === 0)
      throw new UserError("nothing-to-change", "Say what to change: name, description, notes, colour or emoji.");
    let updated: ServerFaction;
    try {
      updated = await this.store.updateFaction(guildId, faction.id as string, data, {
        actorId,
        action: "edited",
        detail: { changed: Object.keys(data).filter((k) => k !== "nameKey") },
      });
    } catch (error) {
      if (error instanceof ConstraintConflict)
        throw new UserError("duplicate", `This server already has a faction called ${data.name}.`);
      throw error;
    }
    if (!updated.isCanon) await this.saveLore(updated);
    return updated;
  }

  /** Admin: archives a faction; members keep their history, the linked role is taken back from everyone. */
  async archive(
    guildId: string,
    actorId: string,
    target: ServerFaction,
  ): Promise<{ faction: ServerFaction; report: RoleReport }> {
    const faction = await this.materialize(target);
    if (faction.archivedAt) throw new UserError("archived", `${faction.name} is already archived.`);
    const updated = await this.store.updateFaction(
      guildId,
      faction.id as string,
      { archivedAt: this.clock.now() },
      { actorId, action: "archived" },
    );
    if (!updated.isCanon) await this.saveLore(updated);
    const report: RoleReport = { granted: 0, revoked: 0, problems: [] };
    if (faction.roleId) {
      for (const member of await this.store.allMembers(guildId, faction.id as string)) {
        const problem = await this.roles.revoke(guildId, member.userId, faction.roleId);
        if (problem && problem !== "member-missing")
          report.problems.push({ factionName: faction.name, roleId: faction.roleId, problem });
        else if (!problem) report.revoked += 1;
      }
    }
    return { faction: updated, report };
  }

  async setPolicy(guildId: string, actorId: string, target: ServerFaction, policy: JoinPolicy): Promise<ServerFaction> {
    const faction = await this.materialize(target);
    if (faction.archivedAt) throw new UserError("archived", `${faction.name} is archived.`);
    return this.store.updateFaction(
      guildId,
      faction.id as string,
      { joinPolicy: policy },
      { actorId, action: "policy-changed", detail: { policy } },
    );
  }

  /**
   * Links a role: checked first (so the admin hears exactly what is wrong), then given to every present member.
   * The link is kept even when Discord refuses, so a resync after fixing the role completes it.
   */
  async linkRole(
    guildId: string,
    actorId: string,
    target: ServerFaction,
    roleId: string,
  ): Promise<{ faction: ServerFaction; report: RoleReport }> {
    const faction = await this.materialize(target);
    if (faction.archivedAt) throw new UserError("archived", `${faction.name} is archived.`);
    const others = (await this.store.factions(guildId)).filter((f) => f.roleId === roleId && f.id !== faction.id);
    if (others.length > 0)
      throw new UserError(
        "role-taken",
        `<@&${roleId}> is already linked to ${others[0]?.name}. One role, one faction.`,
      );
    const problem = await this.roles.diagnose(guildId, roleId);
    if (problem === "managed-role" || problem === "role-missing")
      throw new UserError("bad-role", roleProblemText(problem, roleId));
    const updated = await this.store.updateFaction(
      guildId,
      faction.id as string,
      { roleId },
      { actorId, action: "role-linked", detail: { roleId } },
    );
    const report: RoleReport = { granted: 0, revoked: 0, problems: [] };
    if (problem) report.problems.push({ factionName: faction.name, roleId, problem });
    else await this.syncFaction(updated, report);
    return { faction: updated, report };
  }

  async unlinkRole(guildId: string, actorId: string, target: ServerFaction): Promise<ServerFaction> {
    const faction = await this.materialize(target);
    if (!faction.roleId) throw new UserError("no-role", `${faction.name} has no linked role.`);
    return this.store.updateFaction(
      guildId,
      faction.id as string,
      { roleId: null },
      {
        actorId,
        action: "role-unlinked",
        detail: { roleId: faction.roleId },
      },
    );
  }

  /** Repairs drift for every linked role: present members get it, everyone else who has it loses it. */
  async resync(guildId: string, actorId: string | null): Promise<RoleReport> {
    const report: RoleReport = { granted: 0, revoked: 0, problems: [] };
    for (const faction of await this.store.factions(guildId))
      if (faction.roleId) await this.syncFaction(faction, report);
    await this.store.addEvent({
      guildId,
      actorId,
      action: "resynced",
      detail: { granted: report.granted, revoked: report.revoked, problems: report.problems.length },
    });
    return report;
  }

  private async syncFaction(faction: ServerFaction, report: RoleReport): Promise<void> {
    const roleId = faction.roleId;
    if (!roleId || !faction.id) return;
    const problem = await this.roles.diagnose(faction.guildId, roleId);
    if (problem) {
      report.problems.push({ factionName: faction.name, roleId, problem });
      return;
    }
    const members = faction.archivedAt ? [] : await this.store.allMembers(faction.guildId, faction.id);
    const wanted = new Set(members.filter((m) => !m.departedAt).map((m) => m.userId));
    const holders = await this.roles.holders(faction.guildId, roleId);
    if (!holders) report.holdersUnknown = true;
    const have = new Set(holders ?? []);
    for (const userId of wanted) {
      if (holders && have.has(userId)) continue;
      const result = await this.roles.grant(faction.guildId, userId, roleId);
      if (!result) report.granted += holders ? 1 : 0;
      else if (result !== "member-missing")
        report.problems.push({ factionName: faction.name, roleId, problem: result });
    }
    for (const userId of have) {
      if (wanted.has(userId)) continue;
      const result = await this.roles.revoke(faction.guildId, userId, roleId);
      if (!result) report.revoked += 1;
      else if (result !== "member-missing")
        report.problems.push({ factionName: faction.name, roleId, problem: result });
    }
  }

  /** The member left the Discord server: history kept, rosters no longer count them. */
  async memberLeftServer(guildId: string, userId: string): Promise<void> {
    const count = await this.store.markDeparted(guildId, userId, this.clock.now());
    if (count > 0)
      this.log.info({ guildId, userId, memberships: count }, "member left the server; memberships kept as departed");
  }

  /** The member came back: their memberships count again and their roles are restored. */
  async memberReturned(guildId: string, userId: string): Promise<void> {
    const restored = await this.store.markReturned(guildId, userId);
    for (const membership of restored) {
      const faction = await this.store.factionById(guildId, membership.factionId);
      if (faction && !faction.archivedAt) await this.grant(faction, userId);
    }
  }

  /** After downtime: who left or came back while the bot was away. Unknown answers (Discord down) change nothing. */
  async reconcile(guildId: string): Promise<{ departed: number; returned: number }> {
    let departed = 0;
    let returned = 0;
    for (const userId of await this.store.memberUserIds(guildId)) {
      const present = await this.roles.isMember(guildId, userId);
      if (present === null) continue;
      const memberships = await this.store.memberships(guildId, userId, { includeDeparted: true });
      const isDeparted = memberships.some((m) => m.departedAt);
      if (!present && memberships.some((m) => !m.departedAt)) {
        await this.memberLeftServer(guildId, userId);
        departed += 1;
      } else if (present && isDeparted) {
        await this.memberReturned(guildId, userId);
        returned += 1;
      }
    }
    return { departed, returned };
  }

  /** What changed in the server's factions after a moment: for the council's agenda. */
  async changesSince(guildId: string, since: Date | null) {
    const events = await this.store.eventsSince(guildId, since, [
      "created",
      "archived",
      "joined",
      "approved",
      "left",
      "moved",
      "removed",
    ]);
    const names = await this.namesById(guildId);
    const name = (id: string | null) => (id ? (names.get(id) ?? "a removed faction") : "?");
    return {
      created: events.filter((e) => e.action === "created").map((e) => name(e.factionId)),
      archived: events.filter((e) => e.action === "archived").map((e) => name(e.factionId)),
      joined: events.filter((e) => e.action === "joined" || e.action === "approved").length,
      left: events.filter((e) => e.action === "left" || e.action === "removed").length,
      moved: events.filter((e) => e.action === "moved").length,
    };
  }

  guildsWithMembers(): Promise<string[]> {
    return this.store.guildIdsWithMembers();
  }

  events(
    guildId: string,
    filter: { userId?: string; offset: number; limit: number },
  ): Promise<{ events: FactionEvent[]; total: number }> {
    return this.store.events(guildId, filter);
  }

  private async grant(faction: ServerFaction, userId: string): Promise<RoleProblem | null> {
    if (!faction.roleId) return null;
    const problem = await this.roles.grant(faction.guildId, userId, faction.roleId);
    if (problem) await this.recordRoleProblem(faction, userId, problem, "grant");
    return problem;
  }

  private async revoke(faction: ServerFaction, userId: string): Promise<RoleProblem | null> {
    if (!faction.roleId) return null;
    const problem = await this.roles.revoke(faction.guildId, userId, faction.roleId);
    if (problem === "member-missing") return null;
    if (problem) await this.recordRoleProblem(faction, userId, problem, "revoke");
    return problem;
  }

  private async recordRoleProblem(
    faction: ServerFaction,
    userId: string,
    problem: RoleProblem,
    change: "grant" | "revoke",
  ): Promise<void> {
    this.log.warn({ guildId: faction.guildId, factionId: faction.id, userId, problem, change }, "role change refused");
    await this.store.addEvent({
      guildId: faction.guildId,
      factionId: faction.id,
      userId,
      action: "role-sync-failed",
      detail: { roleId: faction.roleId, problem, change },
    });
    await this.queueResync(faction.guildId);
  }

  /** A canon faction the server has not configured gets its row now (id needed for memberships and settings). */
  async materialize(faction: ServerFaction): Promise<ServerFaction> {
    if (faction.id) return faction;
    return this.store.ensureCanonFaction(faction.guildId, {
      slug: faction.slug,
      name: faction.name,
      nameKey: normalize(faction.name),
    });
  }

  private async assertNameFree(guildId: string, name: string): Promise<void> {
    const key = normalize(name);
    const canon = this.lore.index.list(null, ["faction"]).find((entry) => normalize(entry.name) === key);
    if (canon)
      throw new UserError(
        "duplicate",
        `${canon.name} is a canon faction already. Open it with \`/faction-admin allow\`, or pick another name.`,
      );
    const taken = (await this.store.factions(guildId)).find((f) => normalize(f.name) === key);
    if (taken) throw new UserError("duplicate", `This server already has a faction called ${taken.name}.`);
  }

  private async freeSlug(guildId: string, name: string): Promise<string> {
    const base = slugify(name) || "faction";
    const used = new Set([
      ...(await this.store.factions(guildId)).map((f) => f.slug),
      ...this.lore.index.list(null, ["faction"]).map((e) => e.slug),
    ]);
    if (!used.has(base)) return base;
    for (let n = 2; ; n += 1) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
  }

  /** A server-made faction's lore entry (scope = the server), so lookups and autocomplete find it there only. */
  private async saveLore(faction: ServerFaction): Promise<void> {
    const baseHeader = faction.canonSlug ? this.lore.bySlug(faction.canonSlug, null) : undefined;
    const base = baseHeader ? await this.lore.entry(baseHeader) : undefined;
    const draft: LoreDraft = {
      slug: faction.slug,
      kind: "faction",
      name: faction.name,
      aliases: [],
      tags: ["server-made"],
      quadrants: base?.quadrants ?? ["unknown"],
      standing: base?.standing ?? "not-listed",
      summary:
        faction.description ||
        (base ? `A faction of this server, based on ${base.name}.` : "A faction of this server."),
      body: base ? `${base.summary}${base.body ? `\n\n${base.body}` : ""}` : "",
      details: {
        relations: base?.details.relations ?? [],
        events: base?.details.events ?? [],
        ...(base ? { basedOn: base.slug } : {}),
        ...(base?.details.standingNote ? { standingNote: base.details.standingNote } : {}),
        ...(faction.archivedAt ? { archived: true } : {}),
      },
      sources: base?.sources ?? [],
      sourceFile: null,
    };
    await this.lore.saveServerEntry(faction.guildId, draft);
  }
}

function virtualCanon(guildId: string, entry: LoreHeader): ServerFaction {
  return {
    id: null,
    guildId,
    slug: entry.slug,
    name: entry.name,
    description: "",
    notes: "",
    color: null,
    emoji: null,
    canonSlug: entry.slug,
    isCanon: true,
    ownPolicy: null,
    roleId: null,
    archivedAt: null,
  };
}

/** Role problems with the faction and role they concern, as role reports show them. */
function problemsOf(changes: [ServerFaction | undefined, RoleProblem | null][]): RoleReport["problems"] {
  return changes.flatMap(([faction, problem]) =>
    faction && problem ? [{ factionName: faction.name, roleId: faction.roleId ?? "", problem }] : [],
  );
}
