import { LORE_KINDS, type LoreDraft, type LoreKind, QUADRANTS, STANDINGS } from "../../src/lore/model.js";
import { normalize, slugify } from "../../src/lore/normalize.js";
import type { Prng } from "../lib/prng.js";

// Synthetic lore shaped like the canon in data/: invented species words, names built the way the canon's are
// ("<Species> Empire", "Treaty of <Place>", "U.S.S. <Name>"), aliases (plurals, acronyms, short forms, ranks),
// tags and one- or two-clause summaries that mention other invented words, as real summaries mention other entries.

// Word lists as text: one line each reads better than one item per line.
const words = (text: string) => text.trim().split(/\s+/);
const phrases = (text: string) => text.split(",").map((phrase) => phrase.trim());

const SYLLABLES = words(`
  ka vor tek ri lan sha dor mek zan tal qua rin vel kor tha nar bel ix om ul gar sen tor vax yel pra dra kesh mor
  lith ar en is o ur zha ter cal mir dun hal jor neb pel rok sor tir wen xan yor zel bri cha fen gol hes kir lum nox qel
`);
const POLITIES = words(`
  Empire Union Collective Hegemony Republic Confederacy Horde Syndicate Dominion Alliance Concordium Supremacy
  Coalition Protectorate Assembly Directorate Clans Consortium Imperium Commonwealth Federation Kingdom Cooperative Armada
`);
const PLACE_SUFFIXES = words(
  "Prime II III IV V VI Station Nebula Expanse Sector Colony Outpost Belt Rift Cluster Reach",
);
const SHIP_PREFIXES = words("U.S.S. I.K.S. R.R.W. C.D.F. D.S.C. I.S.S.");
const RANKS = words("Admiral Captain General Chancellor Praetor Ambassador Commander Doctor");
const ORG_FORMS = phrases("{} Institute, Order of {}, {} Intelligence, {} Guild, {} Science Academy, {} Tribunal");
const CONFLICT_FORMS = phrases("Battle of {}, {} War, Siege of {}, {} Incursion, {} Uprising, Fall of {}");
const TREATY_FORMS = phrases("Treaty of {}, {} Accords, {} Pact, {} Protocol, {} Armistice, Compact of {}");
const TAGS = words(`
  founding-member delta-alliance mirror-universe temporal warrior traders pirates scientists telepathic
  shape-shifters extragalactic former-enemy protectorate nomadic religious isolationist expansionist artifact
  homeworld flagship
`);
const HEADS: Record<LoreKind, readonly string[]> = {
  faction: phrases(
    "warrior culture, trading power, band of nomadic raiders, theocratic state, scientific collective, isolationist people, expansionist empire, federation of colonies, mercenary fleet, ancient civilization",
  ),
  person: phrases("admiral, diplomat, warlord, scientist, smuggler, chancellor"),
  place: phrases("homeworld, border station, contested system, nebula, colony world"),
  ship: phrases("flagship, science vessel, warbird, escort carrier, battlecruiser"),
  conflict: phrases("border war, invasion, civil war, uprising"),
  treaty: phrases("ceasefire, non-aggression pact, trade accord, alliance treaty"),
  organization: phrases("intelligence service, academy, guild of traders, secret order"),
};
// {w}: an invented word (another entry's, as real summaries name other entries); {y}: a year.
const CLAUSES = [
  "that fought the {w} at {w} in {y}",
  "allied with the Khitomer Alliance since {y}",
  "long at odds with the {w}",
  "known for the shipyards of {w}",
  "that signed a ceasefire with the {w} in {y}",
  "whose homeworld {w} fell to the {w} in {y}",
  "that joined the Alliance after the {w} crisis",
];
const KIND_WEIGHTS: [LoreKind, number][] = [
  ["faction", 0.3],
  ["person", 0.2],
  ["place", 0.18],
  ["ship", 0.12],
  ["conflict", 0.08],
  ["organization", 0.07],
  ["treaty", 0.05],
];

export interface CorpusOptions {
  /** Every entry of this kind (the /faction info store), or a mix weighted like the canon. */
  kind?: LoreKind;
  /** Normalized names already taken (the canon), so every name in the corpus is unique. */
  taken?: Iterable<string>;
}

/** `count` drafts with unique names and slugs, the same for the same PRNG state. */
export function syntheticDrafts(rng: Prng, count: number, options: CorpusOptions = {}): LoreDraft[] {
  const names = new Set(options.taken ?? []);
  const drafts: LoreDraft[] = [];
  while (drafts.length < count) {
    const kind = options.kind ?? weightedKind(rng);
    const { name, aliases } = nameFor(kind, rng);
    const key = normalize(name);
    if (names.has(key)) continue;
    names.add(key);
    drafts.push({
      slug: slugify(name),
      kind,
      name,
      aliases: [...new Set(aliases)].filter((alias) => normalize(alias) !== key),
      tags: rng.shuffle(TAGS).slice(0, rng.int(0, 3)),
      quadrants: [rng.pick(QUADRANTS)],
      standing: kind === "faction" ? rng.pick(STANDINGS) : null,
      summary: summary(rng, kind),
      body: "",
      details: { relations: [], events: [] },
      sources: [],
      sourceFile: null,
    });
  }
  return drafts;
}

export function word(rng: Prng): string {
  const parts = Array.from({ length: rng.chance(0.6) ? 2 : 3 }, () => rng.pick(SYLLABLES));
  // About one word in ten has an apostrophe, as Fek'Ihri, Jem'Hadar and Hur'q do.
  if (rng.chance(0.1)) {
    const at = rng.int(1, parts.length - 1);
    return parts
      .map((p, i) => (i === 0 || i === at ? capital(p) : p))
      .join("")
      .replace(/(.)([A-Z])/, "$1'$2");
  }
  return capital(parts.join(""));
}

function nameFor(kind: LoreKind, rng: Prng): { name: string; aliases: string[] } {
  const w = word(rng);
  switch (kind) {
    case "faction": {
      if (rng.chance(0.1)) return { name: w, aliases: rng.chance(0.5) ? [`${w}s`] : [] };
      const polity = rng.pick(POLITIES);
      const aliases: string[] = [];
      if (rng.chance(0.5)) aliases.push(`${w}s`);
      if (rng.chance(0.4)) aliases.push(acronym(`${w} ${polity}`));
      if (rng.chance(0.2)) aliases.push(`${w} Defense Force`, acronym(`${w} Defense Force`));
      if (rng.chance(0.2)) aliases.push(w);
      return { name: `${w} ${polity}`, aliases };
    }
    case "person": {
      if (rng.chance(0.2)) return { name: w, aliases: [] };
      const last = word(rng);
      const aliases: string[] = [];
      if (rng.chance(0.4)) aliases.push(`${rng.pick(RANKS)} ${last}`);
      if (rng.chance(0.3)) aliases.push(last);
      return { name: `${w} ${last}`, aliases };
    }
    case "place": {
      if (rng.chance(0.1)) {
        const number = rng.int(1, 999);
        return { name: `Starbase ${number}`, aliases: [`SB${number}`, `SB-${number}`] };
      }
      return { name: `${w} ${rng.pick(PLACE_SUFFIXES)}`, aliases: rng.chance(0.2) ? [w] : [] };
    }
    case "ship": {
      const aliases: string[] = [];
      if (rng.chance(0.6)) aliases.push(w);
      if (rng.chance(0.3)) aliases.push(`NCC-${rng.int(1000, 99999)}`);
      return { name: `${rng.pick(SHIP_PREFIXES)} ${w}`, aliases };
    }
    case "conflict":
      return { name: rng.pick(CONFLICT_FORMS).replace("{}", w), aliases: rng.chance(0.2) ? [`${w} Campaign`] : [] };
    case "treaty":
      return { name: rng.pick(TREATY_FORMS).replace("{}", w), aliases: rng.chance(0.3) ? [`${w} Treaty`] : [] };
    case "organization": {
      const name = rng.pick(ORG_FORMS).replace("{}", w);
      return { name, aliases: rng.chance(0.4) ? [acronym(name)] : [] };
    }
  }
}

function summary(rng: Prng, kind: LoreKind): string {
  const quadrant = capital(rng.pick(QUADRANTS.filter((q) => q !== "other" && q !== "unknown")));
  const clauses = Array.from({ length: rng.int(1, 2) }, () =>
    rng
      .pick(CLAUSES)
      .replace(/\{w\}/g, () => word(rng))
      .replace(/\{y\}/g, () => String(rng.int(2260, 2411))),
  );
  const head = rng.pick(HEADS[kind]);
  return `${quadrant} Quadrant ${head} ${clauses.join("; ")}.`;
}

function weightedKind(rng: Prng): LoreKind {
  let roll = rng.next();
  for (const [kind, weight] of KIND_WEIGHTS) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return LORE_KINDS[0];
}

function acronym(name: string): string {
  return name
    .split(/[\s']+/)
    .map((part) => part[0]?.toUpperCase() ?? "")
    .join("");
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
