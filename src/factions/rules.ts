import { UserError } from "../errors.js";
import { normalize } from "../lore/normalize.js";
import type { GuildSettings, JoinPolicy, Membership, RoleProblem, ServerFaction } from "./model.js";

// The rules of joining and naming, as pure functions: unit-tested without a database or Discord.

export function effectivePolicy(faction: ServerFaction, settings: GuildSettings): JoinPolicy {
  return faction.ownPolicy ?? (faction.isCanon ? settings.canonJoinPolicy : "open");
}

export type JoinDecision =
  | { kind: "join"; slot: number }
  | { kind: "request" }
  | { kind: "refuse"; code: string; message: string };

/**
 * May this member join this faction now? `current` is the member's current memberships on the server.
 * The slot is the lowest free one below the server's limit; the database's unique (guild, user, slot) makes two
 * concurrent joins past the limit impossible even if both passed this check.
 */
export function decideJoin(
  faction: ServerFaction,
  settings: GuildSettings,
  current: readonly Membership[],
  hasPendingRequest: boolean,
): JoinDecision {
  if (faction.archivedAt) return refuse("archived", `${faction.name} is archived; nobody can join it any more.`);
  if (current.some((m) => faction.id !== null && m.factionId === faction.id))
    return refuse("already-member", `You are already a member of ${faction.name}.`);
  const policy = effectivePolicy(faction, settings);
  if (policy === "closed") return refuse("closed", `${faction.name} is closed to new members on this server.`);
  if (current.length >= settings.maxFactions) {
    return refuse(
      "limit",
      settings.maxFactions === 1
        ? "You already belong to a faction on this server. Leave it first with `/faction leave`."
        : `You already belong to ${current.length} factions, the most this server allows. Leave one first with \`/faction leave\`.`,
    );
  }
  if (policy === "approval") {
    if (hasPendingRequest)
      return refuse("pending", `Your request to join ${faction.name} is still waiting for a decision.`);
    return { kind: "request" };
  }
  return { kind: "join", slot: freeSlot(current, settings.maxFactions) };
}

/** Placing a member by decision of a leader or admin: the join policy is theirs to overrule, the limits are not. */
export function decidePlacement(
  faction: ServerFaction,
  settings: GuildSettings,
  current: readonly Membership[],
): { kind: "join"; slot: number } | { kind: "refuse"; code: string; message: string } {
  const decision = decideJoin({ ...faction, ownPolicy: "open" }, settings, current, false);
  return decision.kind === "request" ? { kind: "join", slot: freeSlot(current, settings.maxFactions) } : decision;
}

export function freeSlot(current: readonly Pick<Membership, "slot">[], max: number): number {
  const used = new Set(current.map((m) => m.slot));
  for (let slot = 0; slot < Math.max(max, used.size + 1); slot += 1) if (!used.has(slot)) return slot;
  return used.size;
}

function refuse(code: string, message: string): JoinDecision {
  return { kind: "refuse", code, message };
}

// Names are echoed in embeds, rosters and audit lines: letters, digits, spaces and plain punctuation only, so a
// name can carry no mention, no markdown and no invisible or direction-changing characters.
const NAME_ALLOWED = /^[\p{L}\p{N} '’\-.,&()!?:]+$/u;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
export const NAME_MAX = 60;

export function validateFactionName(raw: string): string {
  const name = raw.normalize("NFC").replace(/\s+/g, " ").trim();
  if (INVISIBLE.test(raw.replace(/[\t\n\r ]/g, "")))
    throw new UserError("bad-name", "Faction names cannot contain invisible or control characters.");
  if (name.length < 2) throw new UserError("bad-name", "A faction name needs at least 2 characters.");
  if (name.length > NAME_MAX)
    throw new UserError("bad-name", `A faction name can have at most ${NAME_MAX} characters.`);
  if (!NAME_ALLOWED.test(name) || /\p{M}{3,}/u.test(name))
    throw new UserError(
      "bad-name",
      "Faction names may use letters, digits, spaces and ' - . , & ( ) ! ? : only (no mentions, markdown or emoji; set an emoji separately).",
    );
  if (normalize(name) === "") throw new UserError("bad-name", "A faction name needs at least one letter or digit.");
  return name;
}

export const DESCRIPTION_MAX = 1000;
export const NOTES_MAX = 1000;

/** Free text (descriptions, notes): kept as written (markdown included) but bounded and without invisible tricks. */
export function validateText(raw: string, max: number, what: string): string {
  const text = raw
    .normalize("NFC")
    .replace(/[\p{Cf}\p{Zl}\p{Zp}]/gu, "")
    .replace(/\r\n?/g, "\n")
    .trim();
  if (text.length > max)
    throw new UserError("too-long", `The ${what} can have at most ${max} characters (this one has ${text.length}).`);
  return text;
}

/** "#c0392b", "c0392b" or a colour name a member might type. */
export function parseColour(raw: string): number {
  const named: Record<string, number> = {
    red: 0xe74c3c,
    orange: 0xe67e22,
    yellow: 0xf1c40f,
    gold: 0xc9a227,
    green: 0x2ecc71,
    teal: 0x1abc9c,
    blue: 0x3498db,
    purple: 0x9b59b6,
    pink: 0xe91e63,
    grey: 0x95a5a6,
    gray: 0x95a5a6,
    black: 0x23272a,
    white: 0xffffff,
  };
  const text = raw.trim().toLowerCase();
  if (named[text] !== undefined) return named[text];
  const hex = /^#?([0-9a-f]{6})$/.exec(text)?.[1];
  if (!hex)
    throw new UserError(
      "bad-colour",
      "Give the colour as a hex code like #c0392b, or a name such as red, blue or gold.",
    );
  return Number.parseInt(hex, 16);
}

/** One emoji: a Unicode emoji, or a server emoji as Discord writes it (<:name:id> or <a:name:id>). */
export function validateEmoji(raw: string): string {
  const text = raw.trim();
  if (/^<a?:\w{2,32}:\d{17,20}>$/.test(text)) return text;
  const emojiOnly = /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}|\p{Emoji_Component}|\u200d|\ufe0f)+$/u;
  if (
    text.length > 0 &&
    text.length <= 16 &&
    emojiOnly.test(text) &&
    /\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(text)
  )
    return text;
  throw new UserError("bad-emoji", "Give one emoji, such as ⚔️, or a server emoji picked from the emoji menu.");
}

/** Admin commands: Manage Server, or the council role the server configured. */
export function canAdminister(
  hasManageGuild: boolean,
  memberRoleIds: readonly string[],
  settings: GuildSettings,
): boolean {
  return hasManageGuild || (settings.councilRoleId !== null && memberRoleIds.includes(settings.councilRoleId));
}

export function roleProblemText(problem: RoleProblem, roleId: string): string {
  const role = `<@&${roleId}>`;
  switch (problem) {
    case "missing-manage-roles":
      return `I lack the Manage Roles permission, so I could not change ${role}. Give my role Manage Roles, then run \`/faction-admin resync\` (I also try again by myself in a few minutes).`;
    case "role-above-bot":
      return `${role} is above my highest role, so Discord does not let me hand it out. Move my role above it (Server Settings → Roles), then run \`/faction-admin resync\` (I also try again by myself in a few minutes).`;
    case "role-missing":
      return `The role linked to this faction no longer exists. Link another with \`/faction-admin link-role\`.`;
    case "managed-role":
      return `${role} is managed by an integration, so nobody can hand it out by hand. Link another role.`;
    case "member-missing":
      return "That member is no longer on the server.";
    default:
      return `Discord refused to change ${role}. I will try again in a few minutes; \`/faction-admin resync\` tries now.`;
  }
}
