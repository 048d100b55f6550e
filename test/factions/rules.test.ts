import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { DEFAULT_SETTINGS, type GuildSettings, type Membership, type ServerFaction } from "../../src/factions/model.js";
import {
  canAdminister,
  decideJoin,
  decidePlacement,
  effectivePolicy,
  freeSlot,
  parseColour,
  validateEmoji,
  validateFactionName,
  validateText,
} from "../../src/factions/rules.js";

const settings = (patch: Partial<GuildSettings> = {}): GuildSettings => ({
  guildId: "1",
  ...DEFAULT_SETTINGS,
  ...patch,
});
const faction = (patch: Partial<ServerFaction> = {}): ServerFaction => ({
  id: "f1",
  guildId: "1",
  slug: "klingon-empire",
  name: "Klingon Empire",
  description: "",
  notes: "",
  color: null,
  emoji: null,
  canonSlug: "klingon-empire",
  isCanon: true,
  ownPolicy: null,
  roleId: null,
  archivedAt: null,
  ...patch,
});
const member = (factionId: string, slot: number): Membership => ({
  guildId: "1",
  userId: "u",
  factionId,
  slot,
  isLeader: false,
  joinedAt: new Date(0),
  departedAt: null,
});

describe("effectivePolicy", () => {
  it("a canon faction follows the server's default unless set one by one; a server-made one is open by default", () => {
    expect(effectivePolicy(faction(), settings({ canonJoinPolicy: "closed" }))).toBe("closed");
    expect(effectivePolicy(faction({ ownPolicy: "approval" }), settings({ canonJoinPolicy: "closed" }))).toBe(
      "approval",
    );
    expect(effectivePolicy(faction({ isCanon: false }), settings({ canonJoinPolicy: "closed" }))).toBe("open");
  });
});

describe("decideJoin", () => {
  it("given an open faction and no membership, joins in slot 0", () => {
    expect(decideJoin(faction(), settings(), [], false)).toEqual({ kind: "join", slot: 0 });
  });

  it.each([
    ["a closed faction", faction({ ownPolicy: "closed" }), [], false, "closed", /closed to new members/],
    ["an archived faction", faction({ archivedAt: new Date() }), [], false, "archived", /archived/],
    [
      "a faction the member is in",
      faction(),
      [member("f1", 0)],
      false,
      "already-member",
      /already a member of Klingon Empire/,
    ],
    ["a second faction with a limit of one", faction(), [member("f2", 0)], false, "limit", /Leave it first/],
    [
      "an approval faction with a request pending",
      faction({ ownPolicy: "approval" }),
      [],
      true,
      "pending",
      /still waiting/,
    ],
  ] as const)("given %s, refuses with a reason", (_case, target, current, pending, code, message) => {
    const decision = decideJoin(target, settings(), current, pending);
    expect(decision).toMatchObject({ kind: "refuse", code });
    expect(decision.kind === "refuse" && decision.message).toMatch(message);
  });

  it("given an approval faction, files a request", () => {
    expect(decideJoin(faction({ ownPolicy: "approval" }), settings(), [], false)).toEqual({ kind: "request" });
  });

  it("given a limit of three, takes the lowest free slot", () => {
    expect(decideJoin(faction(), settings({ maxFactions: 3 }), [member("a", 0), member("b", 2)], false)).toEqual({
      kind: "join",
      slot: 1,
    });
  });

  it("placement by a leader or admin overrules the policy but not the limit", () => {
    expect(decidePlacement(faction({ ownPolicy: "approval" }), settings(), [])).toEqual({ kind: "join", slot: 0 });
    expect(decidePlacement(faction({ ownPolicy: "closed" }), settings(), [])).toEqual({ kind: "join", slot: 0 });
    expect(decidePlacement(faction(), settings(), [member("f2", 0)])).toMatchObject({ kind: "refuse", code: "limit" });
  });
});

describe("freeSlot", () => {
  it("finds the first gap, or the next number when a server lowered its limit below what members hold", () => {
    expect(freeSlot([], 1)).toBe(0);
    expect(freeSlot([{ slot: 0 }, { slot: 1 }], 1)).toBe(2);
  });
});

describe("validateFactionName", () => {
  it("trims and folds spaces", () => {
    expect(validateFactionName("  House   of  Martok ")).toBe("House of Martok");
    expect(validateFactionName("Qo'noS Irregulars")).toBe("Qo'noS Irregulars");
    expect(validateFactionName("Fuerza Élite (Ñ)")).toBe("Fuerza Élite (Ñ)");
  });

  it.each([
    ["a mention", "<@123456789012345678> House"],
    ["@everyone", "@everyone House"],
    ["markdown", "**Bold** House"],
    ["a zero-width space", "House\u200bMartok"],
    ["a right-to-left override", "House \u202eMartok"],
    ["61 characters", "K".repeat(61)],
    ["one character", "K"],
    ["stacked combining marks", "Ho\u0301\u0302\u0303use"],
    ["only punctuation", "--- ..."],
  ])("refuses %s with a UserError saying why", (_case, name) => {
    expect(() => validateFactionName(name)).toThrow(UserError);
  });
});

describe("validateText", () => {
  it("keeps markdown, drops invisible characters, and refuses what is too long", () => {
    expect(validateText(" **Glory** to\u200b the Empire ", 100, "description")).toBe("**Glory** to the Empire");
    expect(() => validateText("x".repeat(101), 100, "description")).toThrow(
      /at most 100 characters \(this one has 101\)/,
    );
  });
});

describe("parseColour and validateEmoji", () => {
  it("reads hex codes and names, and refuses the rest", () => {
    expect(parseColour("#C0392B")).toBe(0xc0392b);
    expect(parseColour("gold")).toBe(0xc9a227);
    expect(() => parseColour("klingon red")).toThrow(/hex code/);
  });

  it("accepts one emoji or a server emoji, and refuses text", () => {
    expect(validateEmoji("⚔️")).toBe("⚔️");
    expect(validateEmoji("🇩🇪")).toBe("🇩🇪");
    expect(validateEmoji("<:kdf:123456789012345678>")).toBe("<:kdf:123456789012345678>");
    expect(() => validateEmoji("sword")).toThrow(/one emoji/);
    expect(() => validateEmoji("@everyone")).toThrow(/one emoji/);
  });
});

describe("canAdminister", () => {
  it("is Manage Server, or the configured council role", () => {
    expect(canAdminister(true, [], settings())).toBe(true);
    expect(canAdminister(false, ["r1"], settings())).toBe(false);
    expect(canAdminister(false, ["r1"], settings({ councilRoleId: "r1" }))).toBe(true);
  });
});
