import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/temp-dir.js";

// The console as a person runs it: `npm run console` with lines on stdin, a fresh database (so the canon import
// of a first run is part of it), the real bot behind the loopback Discord server. Assertions read stdout.

const { dir, cleanup } = tempDir("khitomer-console-");
afterAll(cleanup);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runConsole(lines: string[], args: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.resolve("node_modules/.bin/tsx"),
      [
        "scripts/console.ts",
        "--database",
        `file:${path.join(dir, "c.db")}`,
        "--log-file",
        path.join(dir, "c.log"),
        ...args,
      ],
      { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(lines.map((line) => `${line}\n`).join(""));
  });
}

/** The output of each input line: a script's lines are echoed after the prompt, so they split the transcript. */
function sections(stdout: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of stdout.split("\n")) {
    const prompt = /^\[[^\]]+ #[\w-]+ @\w+\] (.*)$/.exec(line);
    if (prompt?.[1] !== undefined) {
      current = [];
      // Repeated lines (`click 2` twice) are told apart by the member in the prompt.
      result.set(result.has(prompt[1]) ? `${prompt[1]} (${line.match(/@\w+/)?.[0]})` : prompt[1], current);
    } else current.push(line);
  }
  return result;
}

describe("npm run console, scripted on stdin", () => {
  it("shows cards, menus and pages as a member sees them, lets members use them, and exits 0", async () => {
    const run = await runConsole([
      "/faction info kdf",
      "/faction info borg",
      "pick 1 a",
      "/faction list",
      "click 2",
      "as bob",
      "click 2",
    ]);
    expect(run.stderr).not.toMatch(/Error|error/);
    expect(run.code).toBe(0);
    const out = sections(run.stdout);

    const card = out.get("/faction info kdf")?.join("\n") ?? "";
    expect(card).toMatch(/^── reply ─+$/m);
    expect(card).toMatch(/^│ Klingon Empire +│$/m);
    expect(card).toMatch(/^│ Quadrant: Beta Quadrant +│$/m);
    expect(card).toMatch(/^│ {3}Member — /m);

    const borg = out.get("/faction info borg") ?? [];
    expect(borg.join("\n")).toMatch(/^── reply \(only you can see this\)/m);
    expect(borg).toContain('[1] menu "Choose an entry":');
    const options = borg
      .filter((line) => /^ {4}[a-z]\) /.test(line))
      .map((line) => line.replace(/^ {4}([a-z])\) ([^—]+) —.*$/, "$1 $2"));
    expect(options.map((o) => o.slice(2)).sort()).toEqual(["Borg Collective", "Borg Cooperative", "Borg Kingdom"]);

    const picked = out.get("pick 1 a")?.join("\n") ?? "";
    const chosen = options.find((o) => o.startsWith("a "))?.slice(2) ?? "?";
    expect(picked).toMatch(/^── edited reply \(only you can see this\)/m);
    expect(picked).toContain(`Showing **${chosen}** below.`);
    expect(picked).toMatch(/^── follow-up ─+$/m);
    expect(picked).toMatch(new RegExp(`^│ ${chosen} +│$`, "m"));

    const list = out.get("/faction list")?.join("\n") ?? "";
    expect(list).toMatch(/^│ Page 1 of \d+ · \d+ factions +│$/m);
    expect(list).toContain("[1] ◀ Previous (disabled)  [2] Next ▶");

    const page2 = out.get("click 2")?.join("\n") ?? "";
    expect(page2).toMatch(/^── edited reply/m);
    expect(page2).toMatch(/^│ Page 2 of \d+ · \d+ factions +│$/m);
    expect(page2).toContain("[1] ◀ Previous  [2] Next ▶");

    expect(out.get("as bob")).toContain("console: You are now bob.");
    const refused = out.get("click 2 (@bob)")?.join("\n") ?? "";
    expect(refused).toMatch(/^── reply \(only you can see this\) ─+$/m);
    expect(refused).toContain("Only @alice can turn these pages.");
    expect(refused).not.toMatch(/Page 3/);
  });
});
