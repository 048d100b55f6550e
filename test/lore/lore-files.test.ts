import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readLoreFolder } from "../../src/lore/lore-files.js";
import { tempDir } from "../support/temp-dir.js";

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

const SOURCES = "sto:\n  site: Star Trek Online Wiki\n  title: Khitomer Alliance\n";

function folder(files: Record<string, string>): string {
  const t = tempDir();
  cleanup = t.cleanup;
  writeFileSync(path.join(t.dir, "sources.yaml"), SOURCES);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(t.dir, name)), { recursive: true });
    writeFileSync(path.join(t.dir, name), text);
  }
  return t.dir;
}

const faction = (extra = "") =>
  `---\nkind: faction\nname: Klingon Empire\naliases: [KDF]\nquadrants: [beta]\nstanding: member\nsummary: A warrior power.\nsources: [sto]\n${extra}---\nBody text.\n`;

describe("readLoreFolder", () => {
  it("given valid files, returns drafts with the slug from the file name", () => {
    const result = readLoreFolder(folder({ "factions/klingon-empire.md": faction() }));
    expect(result.problems).toEqual([]);
    expect(result.drafts).toEqual([
      expect.objectContaining({
        slug: "klingon-empire",
        kind: "faction",
        name: "Klingon Empire",
        aliases: ["KDF"],
        body: "Body text.",
      }),
    ]);
  });

  it.each([
    ["a misspelt key", faction("standng: member\n"), "standng", /Unrecognized key/],
    [
      "a standing that does not exist",
      faction().replace("standing: member", "standing: besties"),
      "standing",
      /must be one of member/,
    ],
    [
      "a missing summary",
      faction().replace("summary: A warrior power.\n", ""),
      "summary",
      /expected string|Required|Invalid input/,
    ],
    ["an over-long name", faction().replace("Klingon Empire", "K".repeat(101)), "name", /at most 100 characters/],
    ["a faction without quadrants", faction().replace("quadrants: [beta]\n", ""), "quadrants", /at least one quadrant/],
    [
      "an unknown source key",
      faction().replace("sources: [sto]", "sources: [wiki]"),
      "sources[0]",
      /not a key of sources.yaml/,
    ],
    [
      "a relation to nothing",
      faction("relations:\n  - to: nowhere\n    note: x\n"),
      "relations[0].to",
      /no entry has the slug "nowhere"/,
    ],
    ["broken YAML", "---\nkind: faction\nname: [unclosed\n---\n", "front matter", /not valid YAML \(line \d+\)/],
    ["no front matter at all", "Just text.\n", "front matter", /must start with a --- line/],
  ])("given %s, names the file, the field and what is wrong", (_case, text, field, message) => {
    const result = readLoreFolder(folder({ "factions/klingon-empire.md": text }));
    expect(result.problems).toContainEqual({
      file: "factions/klingon-empire.md",
      field,
      message: expect.stringMatching(message),
    });
  });

  it("given a file in the wrong folder for its kind, says where it belongs", () => {
    const result = readLoreFolder(folder({ "people/klingon-empire.md": faction() }));
    expect(result.problems).toContainEqual(
      expect.objectContaining({ field: "kind", message: expect.stringMatching(/belongs in factions\//) }),
    );
  });

  it("given a bad file name, refuses it", () => {
    const result = readLoreFolder(folder({ "factions/Klingon Empire.md": faction() }));
    expect(result.problems).toContainEqual(expect.objectContaining({ field: "file name" }));
  });

  it("reports every problem in one pass, not just the first", () => {
    const result = readLoreFolder(
      folder({
        "factions/a.md": faction("standng: x\n"),
        "factions/b.md": faction().replace("standing: member", "standing: x"),
      }),
    );
    expect(new Set(result.problems.map((p) => p.file))).toEqual(new Set(["factions/a.md", "factions/b.md"]));
  });

  it("changes its digest when any file changes, and only then", () => {
    const dir = folder({ "factions/klingon-empire.md": faction() });
    const first = readLoreFolder(dir).digest;
    expect(readLoreFolder(dir).digest).toBe(first);
    writeFileSync(path.join(dir, "factions/klingon-empire.md"), faction().replace("Body text.", "Body text!"));
    expect(readLoreFolder(dir).digest).not.toBe(first);
  });
});

describe("reflow", () => {
  it("joins hard-wrapped paragraph lines but keeps lists, headings and paragraphs", async () => {
    const { reflow } = await import("../../src/lore/lore-files.js");
    expect(reflow("One line\nwrapped here.\n\n## Heading\n\n- item one\n- item two\n\nLast\nparagraph.")).toBe(
      "One line wrapped here.\n\n## Heading\n\n- item one\n- item two\n\nLast paragraph.",
    );
  });
});

describe("loreFolderDigest", () => {
  it("equals the digest readLoreFolder reports, without parsing", async () => {
    const { loreFolderDigest } = await import("../../src/lore/lore-files.js");
    expect(loreFolderDigest("data")).toBe(readLoreFolder("data").digest);
  });
});
