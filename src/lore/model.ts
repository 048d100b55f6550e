/** The lore vocabulary shared by the files, the store, search and rendering. Knows nothing of Discord. */

export const LORE_KINDS = ["faction", "treaty", "conflict", "person", "place", "ship", "organization"] as const;
export type LoreKind = (typeof LORE_KINDS)[number];

export const KIND_LABELS: Record<LoreKind, string> = {
  faction: "Faction",
  treaty: "Treaty",
  conflict: "Conflict",
  person: "Person",
  place: "Place",
  ship: "Ship",
  organization: "Organization",
};

/** The folder under data/ that holds each kind. */
export const KIND_FOLDERS: Record<LoreKind, string> = {
  faction: "factions",
  treaty: "treaties",
  conflict: "conflicts",
  person: "people",
  place: "places",
  ship: "ships",
  organization: "organizations",
};

export const STANDINGS = [
  "member",
  "delta-alliance-member",
  "friendly",
  "supportive",
  "neutral",
  "antagonistic",
  "open-warfare",
  "not-listed",
] as const;
export type Standing = (typeof STANDINGS)[number];

export const STANDING_LABELS: Record<Standing, string> = {
  member: "Member",
  "delta-alliance-member": "Delta Alliance member",
  friendly: "Friendly",
  supportive: "Supportive",
  neutral: "Neutral",
  antagonistic: "Antagonistic",
  "open-warfare": "Open warfare",
  "not-listed": "Not listed",
};

export const QUADRANTS = ["alpha", "beta", "gamma", "delta", "other", "unknown"] as const;
export type Quadrant = (typeof QUADRANTS)[number];

export const QUADRANT_LABELS: Record<Quadrant, string> = {
  alpha: "Alpha Quadrant",
  beta: "Beta Quadrant",
  gamma: "Gamma Quadrant",
  delta: "Delta Quadrant",
  other: "Other",
  unknown: "Unknown",
};

/** Canon entries are visible everywhere; every other scope is one server's id. */
export const CANON_SCOPE = "canon";

export interface LoreRelation {
  to: string;
  note: string;
}

export interface LoreEvent {
  year: string;
  text: string;
}

export interface LoreDetails {
  standingNote?: string;
  relations: LoreRelation[];
  events: LoreEvent[];
  parties?: string[];
  terms?: string[];
  signed?: string;
  /** A server-made faction: the canon faction whose lore it inherits. */
  basedOn?: string;
  archived?: boolean;
}

/** An entry as written in a file or by a server, before it has a database id. */
export interface LoreDraft {
  slug: string;
  kind: LoreKind;
  name: string;
  aliases: string[];
  tags: string[];
  quadrants: Quadrant[];
  standing: Standing | null;
  summary: string;
  body: string;
  details: LoreDetails;
  sources: string[];
  sourceFile: string | null;
}

export interface LoreEntry extends LoreDraft {
  id: string;
  scope: string;
}

/**
 * What the in-memory index keeps of an entry: enough to search, list, label and link it. Summaries, bodies,
 * relations and events stay in the database, read for the few entries a list or card shows, so 100,000 entries fit
 * in little memory.
 */
export interface LoreHeader {
  id: string;
  scope: string;
  slug: string;
  kind: LoreKind;
  name: string;
  aliases: string[];
  tags: string[];
  quadrants: Quadrant[];
  standing: Standing | null;
  /** Treaties: party slugs and date, for the parties' cards. */
  parties?: string[];
  signed?: string;
  standingNote?: string;
}

/** A header with its summary, for the lists and menus that show a line of each entry. */
export interface LoreBrief extends LoreHeader {
  summary: string;
}

/** Most entries have no tags or quadrants: one shared empty list instead of 100,000 (the index never mutates them). */
const NONE: never[] = [];
const shared = <T>(list: T[]): T[] => (list.length === 0 ? NONE : list);

export function headerOf(entry: LoreEntry): LoreHeader {
  const header: LoreHeader = {
    id: entry.id,
    scope: entry.scope,
    slug: entry.slug,
    kind: entry.kind,
    name: entry.name,
    aliases: shared(entry.aliases),
    tags: shared(entry.tags),
    quadrants: shared(entry.quadrants),
    standing: entry.standing,
  };
  if (entry.details.parties) header.parties = entry.details.parties;
  if (entry.details.signed) header.signed = entry.details.signed;
  if (entry.details.standingNote) header.standingNote = entry.details.standingNote;
  return header;
}

export interface LoreSource {
  key: string;
  site: string;
  title: string;
}

export function isVisibleIn(entry: Pick<LoreEntry, "scope">, guildId: string | null): boolean {
  return entry.scope === CANON_SCOPE || entry.scope === guildId;
}
