/** Player factions on one server. Plain data, no Discord. */

export const JOIN_POLICIES = ["open", "approval", "closed"] as const;
export type JoinPolicy = (typeof JOIN_POLICIES)[number];

/** The choices a join-policy option offers, in one place for /config and /faction-admin. */
export const JOIN_POLICY_CHOICES = [
  { name: "open", value: "open" },
  { name: "needs approval", value: "approval" },
  { name: "closed", value: "closed" },
] as const;

export const JOIN_POLICY_LABELS: Record<JoinPolicy, string> = {
  open: "open to all",
  approval: "needs approval",
  closed: "closed",
};

/** The policy as the end of a sentence "… is now …" ("needs approval" does not read there). */
export const JOIN_POLICY_STATES: Record<JoinPolicy, string> = {
  open: "open to all",
  approval: "open only with approval",
  closed: "closed",
};

export interface GuildSettings {
  guildId: string;
  councilRoleId: string | null;
  timezone: string;
  maxFactions: number;
  canonJoinPolicy: JoinPolicy;
  approvalChannelId: string | null;
  /** Who votes on treaties that name no parties: members of any faction, or anyone on the server. */
  treatyVoters: TreatyVoters;
}

export const TREATY_VOTERS = ["factions", "anyone"] as const;
export type TreatyVoters = (typeof TREATY_VOTERS)[number];

export const DEFAULT_SETTINGS: Omit<GuildSettings, "guildId"> = {
  councilRoleId: null,
  timezone: "UTC",
  maxFactions: 1,
  canonJoinPolicy: "open",
  approvalChannelId: null,
  treatyVoters: "factions",
};

/** A faction as a server sees it: a stored row, or a canon faction the server has not configured yet (id null). */
export interface ServerFaction {
  id: string | null;
  guildId: string;
  slug: string;
  name: string;
  description: string;
  notes: string;
  color: number | null;
  emoji: string | null;
  canonSlug: string | null;
  isCanon: boolean;
  /** The policy set for this faction; null: the server's default for canon factions. */
  ownPolicy: JoinPolicy | null;
  roleId: string | null;
  archivedAt: Date | null;
}

export interface Membership {
  guildId: string;
  userId: string;
  factionId: string;
  slot: number;
  isLeader: boolean;
  joinedAt: Date;
  departedAt: Date | null;
}

export const FACTION_ACTIONS = [
  "joined",
  "left",
  "requested",
  "approved",
  "denied",
  "moved",
  "removed",
  "leader-added",
  "leader-removed",
  "departed-server",
  "returned-server",
  "created",
  "edited",
  "archived",
  "policy-changed",
  "role-linked",
  "role-unlinked",
  "role-sync-failed",
  "resynced",
  "settings-changed",
] as const;
export type FactionAction = (typeof FACTION_ACTIONS)[number];

export interface FactionEvent {
  id: string;
  guildId: string;
  factionId: string | null;
  userId: string | null;
  actorId: string | null;
  action: FactionAction;
  detail: Record<string, unknown>;
  createdAt: Date;
}

export type RoleProblem =
  | "missing-manage-roles"
  | "role-above-bot"
  | "role-missing"
  | "managed-role"
  | "member-missing"
  | "unknown";
