import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import { UserError } from "../../src/errors.js";
import { FactionService } from "../../src/factions/faction-service.js";
import { FactionStore } from "../../src/factions/faction-store.js";
import type { RoleProblem } from "../../src/factions/model.js";
import type { RoleGateway } from "../../src/factions/roles.js";
import { createLogger } from "../../src/logging/logger.js";
import { LoreService } from "../../src/lore/lore-service.js";
import { LoreStore } from "../../src/lore/lore-store.js";
import { systemClock } from "../../src/time/clock.js";
import { tempDir } from "../support/temp-dir.js";
import { freshDatabase } from "../support/test-database.js";

/** Roles kept in memory: the domain's port, not Discord. Tests set what Discord would refuse. */
class MemoryRoles implements RoleGateway {
  readonly held = new Map<string, Set<string>>();
  refuse: RoleProblem | null = null;
  present = new Set<string>();
  memberListReadable = true;
  async grant(_g: string, userId: string, roleId: string) {
    if (this.refuse) return this.refuse;
    this.holders_(roleId).add(userId);
    return null;
  }
  async revoke(_g: string, userId: string, roleId: string) {
    if (this.refuse) return this.refuse;
    this.holders_(roleId).delete(userId);
    return null;
  }
  async diagnose() {
    return this.refuse;
  }
  async holders(_g: string, roleId: string) {
    return this.memberListReadable ? [...this.holders_(roleId)] : null;
  }
  async isMember(_g: string, userId: string) {
    return this.present.has(userId);
  }
  private holders_(roleId: string) {
    const set = this.held.get(roleId) ?? new Set<string>();
    this.held.set(roleId, set);
    return set;
  }
}

const A = "100000000000000001";
const B = "100000000000000002";
const log = createLogger({ level: "silent", pretty: false });
let db: Database;
let cleanup: () => Promise<void>;
let service: FactionService;
let roles: MemoryRoles;
let lore: LoreService;

beforeEach(async () => {
  const t = tempDir();
  const fresh = await freshDatabase(inject("templateDatabase"), t.dir);
  cleanup = async () => {
    await fresh.drop();
    t.cleanup();
  };
  db = await openDatabase(fresh.url);
  lore = new LoreService(new LoreStore(db.prisma), log);
  await lore.load();
  roles = new MemoryRoles();
  service = new FactionService(new FactionStore(db.prisma), lore, roles, systemClock, log);
});
afterEach(async () => {
  await db.close();
  await cleanup();
});

const canon = (slug: string) => service.forEntry(A, lore.bySlug(slug, null)!).then((f) => f!);

describe("joining", () => {
  it("given 20 simultaneous joins of different factions by one member, exactly one lands", async () => {
    const slugs = lore.factionsPage(null, {}, 0, 20).items.map((e) => e.slug);
    const targets = await Promise.all(slugs.map(canon));
    const results = await Promise.allSettled(targets.map((f) => service.join(A, "u1", f)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(UserError);
    expect(await db.prisma.factionMember.count({ where: { guildId: A, userId: "u1" } })).toBe(1);
  });

  it("given simultaneous joins with a limit of two, ends with two memberships in slots 0 and 1", async () => {
    await service.updateSettings(A, "admin", { maxFactions: 2 });
    const targets = await Promise.all(["klingon-empire", "dominion", "deferi", "talaxian"].map(canon));
    await Promise.allSettled(targets.map((f) => service.join(A, "u1", f)));
    const rows = await db.prisma.factionMember.findMany({
      where: { guildId: A, userId: "u1" },
      orderBy: { slot: "asc" },
    });
    expect(rows.map((r) => r.slot)).toEqual([0, 1]);
  });

  it("given a join and a leave at once, ends in one of the two consistent states", async () => {
    const klingon = await canon("klingon-empire");
    await service.join(A, "u1", klingon);
    const joined = await service.forEntry(A, lore.bySlug("klingon-empire", null)!);
    await Promise.allSettled([service.leave(A, "u1", joined), service.join(A, "u1", joined!)]);
    const count = await db.prisma.factionMember.count({ where: { guildId: A, userId: "u1" } });
    expect([0, 1]).toContain(count);
    const events = await db.prisma.factionEvent.findMany({ where: { guildId: A, userId: "u1" } });
    expect(events.filter((e) => e.action === "joined").length - events.filter((e) => e.action === "left").length).toBe(
      count,
    );
  });

  it("records the membership even when Discord refuses the role, and says why", async () => {
    const klingon = await canon("klingon-empire");
    roles.refuse = null;
    const linked = await service.linkRole(A, "admin", klingon, "900000000000000001");
    roles.refuse = "role-above-bot";
    const result = await service.join(A, "u2", linked.faction);
    expect(result).toMatchObject({ kind: "joined", roleProblem: "role-above-bot" });
    expect(await db.prisma.factionMember.count({ where: { guildId: A, userId: "u2" } })).toBe(1);
    expect(
      await db.prisma.factionEvent.count({ where: { guildId: A, userId: "u2", action: "role-sync-failed" } }),
    ).toBe(1);
  });
});

describe("archived factions", () => {
  it("keep their members' history but do not hold them back from joining another faction", async () => {
    const house = await service.create(A, "admin", {
      name: "House of Mogh",
      description: "",
      color: null,
      emoji: null,
      basedOn: null,
      policy: null,
    });
    await service.join(A, "u5", house);
    await service.archive(A, "admin", house);
    await expect(service.join(A, "u5", await canon("dominion"))).resolves.toMatchObject({ kind: "joined" });
    expect((await service.whois(A, "u5")).memberships.map((m) => m.factionName).sort()).toEqual([
      "Dominion",
      "House of Mogh",
    ]);
  });
});

describe("resync", () => {
  it("without a readable member list, gives roles to members who lack them and says it could not take any back", async () => {
    const klingon = await canon("klingon-empire");
    await service.join(A, "u6", klingon);
    const { faction } = await service.linkRole(
      A,
      "admin",
      (await service.forEntry(A, lore.bySlug("klingon-empire", null)!))!,
      "900000000000000002",
    );
    roles.held.set("900000000000000002", new Set(["stranger"]));
    roles.memberListReadable = false;
    const report = await service.resync(A, "admin");
    expect(report.holdersUnknown).toBe(true);
    expect(roles.held.get("900000000000000002")).toEqual(new Set(["stranger", "u6"]));
    expect(faction.roleId).toBe("900000000000000002");
  });
});

describe("approvals", () => {
  it("two leaders deciding at once: one decision wins, the other is told", async () => {
    const dominion = await service.setPolicy(A, "admin", await canon("dominion"), "approval");
    await service.move(A, "admin", "leader", dominion);
    await service.setLeader(A, "admin", dominion, "leader", true);
    const request = await service.join(A, "u3", dominion);
    expect(request.kind).toBe("requested");
    const id = request.kind === "requested" ? request.request.id : "";
    const results = await Promise.allSettled([
      service.decide(A, id, true, "leader", false),
      service.decide(A, id, false, "admin", true),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const row = await db.prisma.joinRequest.findUniqueOrThrow({ where: { id } });
    expect(["approved", "denied"]).toContain(row.status);
    expect(await db.prisma.factionMember.count({ where: { guildId: A, userId: "u3" } })).toBe(
      row.status === "approved" ? 1 : 0,
    );
  });

  it("refuses a decision by someone who is neither a leader nor an admin", async () => {
    const dominion = await service.setPolicy(A, "admin", await canon("dominion"), "approval");
    const request = await service.join(A, "u3", dominion);
    const id = request.kind === "requested" ? request.request.id : "";
    await expect(service.decide(A, id, true, "random", false)).rejects.toThrow(/Only leaders of Dominion/);
  });
});

describe("server isolation", () => {
  it("a server-made faction of A is invisible to B, even by its id", async () => {
    const house = await service.create(A, "admin", {
      name: "House of Duras Reborn",
      description: "",
      color: null,
      emoji: null,
      basedOn: null,
      policy: null,
    });
    const entry = service.entryOf(house)!;
    await expect(service.resolve(B, entry.id)).rejects.toThrow(UserError);
    expect(await service.byId(B, house.id!)).toBeUndefined();
    expect((await service.list(B)).map((f) => f.name)).not.toContain("House of Duras Reborn");
    expect((await service.list(A)).map((f) => f.name)).toContain("House of Duras Reborn");
  });

  it("settings of one server do not touch another's", async () => {
    await service.updateSettings(A, "admin", { maxFactions: 3, timezone: "Europe/Berlin" });
    expect(await service.settings(B)).toMatchObject({ maxFactions: 1, timezone: "UTC" });
  });
});

describe("members leaving the Discord server", () => {
  it("keeps their history, stops counting them, and counts them again when they return", async () => {
    const klingon = await canon("klingon-empire");
    await service.join(A, "u4", klingon);
    const row = (await service.forEntry(A, lore.bySlug("klingon-empire", null)!))!;
    await service.memberLeftServer(A, "u4");
    expect((await service.card(row)).rosterSize).toBe(0);
    expect((await service.whois(A, "u4")).memberships).toHaveLength(1);
    roles.present.add("u4");
    expect(await service.reconcile(A)).toEqual({ departed: 0, returned: 1 });
    expect((await service.card(row)).rosterSize).toBe(1);
  });
});
