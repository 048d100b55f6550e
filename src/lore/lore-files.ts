import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { KIND_FOLDERS, LORE_KINDS, type LoreDraft, type LoreSource, QUADRANTS, STANDINGS } from "./model.js";

/** One problem in one file, said so that the author can fix it without reading our code. */
export interface LoreFileProblem {
  file: string;
  field: string;
  message: string;
}

export interface LoreFolder {
  drafts: LoreDraft[];
  sources: LoreSource[];
  problems: LoreFileProblem[];
  /** Digest of every file's bytes: the bot re-imports when it changes. */
  digest: string;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const text = (max: number) =>
  z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);
const yearText = z.union([z.string(), z.number()]).transform(String).pipe(text(40));
const slugRef = z.string().regex(SLUG, "must be the slug (file name) of another entry, e.g. klingon-empire");

const frontMatterSchema = z
  .object({
    kind: z.enum(LORE_KINDS, { error: `must be one of ${LORE_KINDS.join(", ")}` }),
    name: text(100),
    aliases: z.array(text(100)).max(30, "at most 30 aliases").default([]),
    tags: z.array(text(40)).max(20, "at most 20 tags").default([]),
    quadrants: z.array(z.enum(QUADRANTS, { error: `must be one of ${QUADRANTS.join(", ")}` })).default([]),
    standing: z.enum(STANDINGS, { error: `must be one of ${STANDINGS.join(", ")}` }).optional(),
    standing_note: text(200).optional(),
    summary: text(400),
    relations: z
      .array(z.object({ to: slugRef, note: text(200) }).strict())
      .max(25, "at most 25 relations")
      .default([]),
    events: z
      .array(z.object({ year: yearText, text: text(200) }).strict())
      .max(25, "at most 25 events")
      .default([]),
    parties: z.array(slugRef).optional(),
    terms: z.array(text(200)).max(25, "at most 25 terms").optional(),
    signed: text(120).optional(),
    sources: z.array(z.string()).min(1, "must name at least one source key from sources.yaml"),
  })
  .strict();

type FrontMatter = z.infer<typeof frontMatterSchema>;

const sourcesSchema = z.record(z.string().regex(SLUG), z.object({ site: text(100), title: text(200) }).strict());

/**
 * Reads and validates every lore file below `dir`. Nothing is imported unless `problems` is empty; all problems
 * are collected (not just the first), so an author fixes a batch in one go.
 */
export function readLoreFolder(dir: string): LoreFolder {
  const problems: LoreFileProblem[] = [];
  const hash = createHash("sha256");
  const sources = readSources(dir, problems, hash);
  const drafts: LoreDraft[] = [];
  const seen = new Map<string, string>();
  for (const file of listMarkdown(dir)) {
    const relative = path.relative(dir, file).split(path.sep).join("/");
    const raw = readFileSync(file, "utf8");
    hash.update(relative).update("\0").update(raw).update("\0");
    const draft = parseLoreFile(relative, raw, problems);
    if (!draft) continue;
    const other = seen.get(draft.slug);
    if (other) {
      problems.push({ file: relative, field: "slug", message: `"${draft.slug}" is already used by ${other}` });
      continue;
    }
    seen.set(draft.slug, relative);
    drafts.push(draft);
  }
  checkReferences(drafts, sources, problems);
  return { drafts, sources, problems, digest: hash.digest("hex") };
}

/**
 * The same digest readLoreFolder reports, from the files' bytes alone (no YAML parsing): a start whose canon has
 * not changed compares this and skips validating 159 files.
 */
export function loreFolderDigest(dir: string): string {
  const hash = createHash("sha256");
  const sources = path.join(dir, "sources.yaml");
  if (existsSync(sources)) hash.update("sources.yaml\0").update(readFileSync(sources, "utf8")).update("\0");
  for (const file of listMarkdown(dir)) {
    const relative = path.relative(dir, file).split(path.sep).join("/");
    hash.update(relative).update("\0").update(readFileSync(file, "utf8")).update("\0");
  }
  return hash.digest("hex");
}

/** Parses one file; on failure records problems and returns undefined. */
export function parseLoreFile(relative: string, raw: string, problems: LoreFileProblem[]): LoreDraft | undefined {
  const split = splitFrontMatter(raw);
  if (!split) {
    problems.push({
      file: relative,
      field: "front matter",
      message: "must start with a --- line and close with another ---",
    });
    return undefined;
  }
  let data: unknown;
  try {
    data = parseYaml(split.yaml);
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line + 1})` : "";
    problems.push({ file: relative, field: "front matter", message: `is not valid YAML${where}: ${firstLine(error)}` });
    return undefined;
  }
  const parsed = frontMatterSchema.safeParse(data ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push({ file: relative, field: fieldName(issue), message: issue.message });
    return undefined;
  }
  const fm = parsed.data;
  const slug = path.basename(relative, ".md");
  const before = problems.length;
  const check = (ok: boolean, field: string, message: string) => {
    if (!ok) problems.push({ file: relative, field, message });
  };
  check(SLUG.test(slug), "file name", "must be lower case letters, digits and single hyphens, e.g. klingon-empire.md");
  const folder = relative.includes("/") ? relative.split("/")[0] : undefined;
  check(
    folder === undefined || folder === KIND_FOLDERS[fm.kind],
    "kind",
    `is ${fm.kind}, so the file belongs in ${KIND_FOLDERS[fm.kind]}/`,
  );
  const body = reflow(split.body.trim());
  check(body.length <= 3000, "body", `must be at most 3000 characters (it has ${body.length})`);
  if (fm.kind === "faction") {
    check(fm.quadrants.length > 0, "quadrants", "a faction needs at least one quadrant");
    check(fm.standing !== undefined, "standing", `a faction needs a standing: ${STANDINGS.join(", ")}`);
  } else {
    check(fm.standing === undefined && fm.standing_note === undefined, "standing", "only factions have a standing");
  }
  if (fm.kind !== "treaty")
    check(!fm.parties && !fm.terms && !fm.signed, "parties", "only treaties have parties, terms and signed");
  if (problems.length > before) return undefined;
  return toDraft(slug, relative, fm, body);
}

function toDraft(slug: string, relative: string, fm: FrontMatter, body: string): LoreDraft {
  return {
    slug,
    kind: fm.kind,
    name: fm.name,
    aliases: fm.aliases,
    tags: fm.tags,
    quadrants: fm.quadrants,
    standing: fm.standing ?? null,
    summary: fm.summary,
    body,
    details: {
      ...(fm.standing_note ? { standingNote: fm.standing_note } : {}),
      relations: fm.relations,
      events: fm.events,
      ...(fm.parties ? { parties: fm.parties } : {}),
      ...(fm.terms ? { terms: fm.terms } : {}),
      ...(fm.signed ? { signed: fm.signed } : {}),
    },
    sources: fm.sources,
    sourceFile: relative,
  };
}

function checkReferences(drafts: LoreDraft[], sources: LoreSource[], problems: LoreFileProblem[]): void {
  const slugs = new Set(drafts.map((draft) => draft.slug));
  const sourceKeys = new Set(sources.map((source) => source.key));
  for (const draft of drafts) {
    const file = draft.sourceFile ?? draft.slug;
    draft.details.relations.forEach((relation, i) => {
      if (!slugs.has(relation.to))
        problems.push({ file, field: `relations[${i}].to`, message: `no entry has the slug "${relation.to}"` });
    });
    (draft.details.parties ?? []).forEach((party, i) => {
      if (!slugs.has(party))
        problems.push({ file, field: `parties[${i}]`, message: `no entry has the slug "${party}"` });
    });
    draft.sources.forEach((key, i) => {
      if (!sourceKeys.has(key))
        problems.push({ file, field: `sources[${i}]`, message: `"${key}" is not a key of sources.yaml` });
    });
  }
}

function readSources(dir: string, problems: LoreFileProblem[], hash: ReturnType<typeof createHash>): LoreSource[] {
  const file = path.join(dir, "sources.yaml");
  if (!existsSync(file)) {
    problems.push({ file: "sources.yaml", field: "file", message: "is missing: it names the documents entries cite" });
    return [];
  }
  const raw = readFileSync(file, "utf8");
  hash.update("sources.yaml\0").update(raw).update("\0");
  let data: unknown;
  try {
    data = parseYaml(raw);
  } catch (error) {
    problems.push({ file: "sources.yaml", field: "file", message: `is not valid YAML: ${firstLine(error)}` });
    return [];
  }
  const parsed = sourcesSchema.safeParse(data ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push({ file: "sources.yaml", field: fieldName(issue), message: issue.message });
    return [];
  }
  return Object.entries(parsed.data).map(([key, value]) => ({ key, ...value }));
}

function listMarkdown(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listMarkdown(full));
    else if (name.endsWith(".md") && name !== "README.md") out.push(full);
  }
  return out;
}

function splitFrontMatter(raw: string): { yaml: string; body: string } | undefined {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)([\s\S]*)$/.exec(raw);
  return match ? { yaml: match[1] ?? "", body: match[2] ?? "" } : undefined;
}

function fieldName(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return issue.keys.join(", ");
  return issue.path.length === 0
    ? "front matter"
    : issue.path
        .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
        .join(".")
        .replace(/\.\[/g, "[");
}

/**
 * Joins the hard-wrapped lines of each paragraph: authors wrap at ~120 columns, but Discord shows every newline
 * as a line break. Lists, headings, quotes and blank lines stay as written.
 */
export function reflow(body: string): string {
  const structural = /^\s*(?:[-*+]\s|\d+[.)]\s|#{1,6}\s|>|```|\|)/;
  return body
    .replace(/\r\n?/g, "\n")
    .split(/\n{2,}/)
    .map((paragraph) => {
      const lines = paragraph.split("\n");
      if (lines.some((line) => structural.test(line))) return paragraph;
      return lines.map((line) => line.trim()).join(" ");
    })
    .join("\n\n");
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}
