import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LoopbackDiscord, snowflake } from "../loopback/server.js";
import { ROOT, spawnScript } from "../support/spawn.js";
import { tempDir } from "../support/temp-dir.js";

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

function scratch() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

describe("starting the bot (src/main.ts, as npm start runs it)", () => {
  it("without a token, exits with one line naming DISCORD_TOKEN and pointing to the console", async () => {
    const run = spawnScript("src/main.ts", { cwd: scratch() });
    expect(await run.exited).toBe(1);
    const lines = run.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^khitomer: DISCORD_TOKEN is not set: .*npm run console/);
  });

  it("with an invalid setting, exits with one line naming it, and no stack trace", async () => {
    const run = spawnScript("src/main.ts", {
      cwd: scratch(),
      env: { DISCORD_TOKEN: "x".repeat(30), LOG_LEVEL: "loud" },
    });
    expect(await run.exited).toBe(1);
    expect(run.stderr().trim()).toMatch(
      /^khitomer: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(see \.env\.example\)$/,
    );
  });

  it.each(["SIGTERM", "SIGINT"] as const)(
    "on %s, closes the gateway and the database and exits 0, never logging the token",
    async (signal) => {
      const discord = await LoopbackDiscord.start();
      cleanups.push(() => discord.close());
      const dir = scratch();
      const run = spawnScript("src/main.ts", {
        cwd: dir,
        env: {
          DISCORD_TOKEN: discord.token,
          DISCORD_API_BASE: discord.apiBase,
          DATABASE_URL: `file:${path.join(dir, "k.db")}`,
          LORE_DIR: path.join(ROOT, "data"),
          LOG_LEVEL: "trace",
        },
      });
      cleanups.push(() => {
        run.child.kill("SIGKILL");
      });
      await run.waitForOutput(/"msg":"ready"/);
      expect(existsSync(path.join(dir, "k.db"))).toBe(true);
      run.child.kill(signal);
      expect(await run.exited).toBe(0);
      const close = await discord.waitForGatewayClose();
      expect(close.code).toBe(1000);
      expect(run.stdout()).toMatch(/"msg":"stopped"/);
      // better-sqlite3 removes the write-ahead log when the last connection closes cleanly.
      expect(existsSync(path.join(dir, "k.db-wal"))).toBe(false);
      expect(`${run.stdout()}${run.stderr()}`).not.toContain(discord.token);
    },
    30_000,
  );
});

describe("npm run deploy-commands", () => {
  it("with DEV_GUILD_ID, registers the bot's command definitions to that server and says so", async () => {
    const devGuild = snowflake();
    const discord = await LoopbackDiscord.start({
      guilds: [{ id: devGuild, name: "Dev", channels: [{ id: snowflake(), name: "dev" }] }],
    });
    cleanups.push(() => discord.close());
    const run = spawnScript("scripts/deploy-commands.ts", {
      cwd: scratch(),
      env: { DISCORD_TOKEN: discord.token, DISCORD_API_BASE: discord.apiBase, DEV_GUILD_ID: devGuild },
    });
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(
      /Registered 7 commands \(\/faction, \/lore, \/treaty, \/council, \/faction-admin, \/config, \/help\) to server \d+/,
    );
    const put = discord.requests.find((r) => r.method === "PUT");
    expect(put?.route).toBe(`/applications/${discord.applicationId}/guilds/${devGuild}/commands`);
    const { commands } = await import("../../commands/index.js");
    expect(put?.body).toEqual(JSON.parse(JSON.stringify(commands.map((c) => c.data))));
  });

  it("without DEV_GUILD_ID, registers globally, reading the application id from Discord", async () => {
    const discord = await LoopbackDiscord.start();
    cleanups.push(() => discord.close());
    const run = spawnScript("scripts/deploy-commands.ts", {
      cwd: scratch(),
      env: { DISCORD_TOKEN: discord.token, DISCORD_API_BASE: discord.apiBase },
    });
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/globally/);
    expect(discord.requests.map((r) => `${r.method} ${r.route}`)).toEqual(
      expect.arrayContaining(["GET /applications/@me", `PUT /applications/${discord.applicationId}/commands`]),
    );
    const { commands } = await import("../../commands/index.js");
    expect(discord.commands().map((c) => c.name)).toEqual(commands.map((c) => c.data.name));
    expect(discord.commands().map((c) => c.name)).toContain("council");
  });
});

describe("npm run db:move", () => {
  it.each([
    [[], /--to must be a postgresql:\/\/ URL/],
    [["--to", "file:./other.db"], /--to must be a postgresql:\/\/ URL/],
    [["--to", "postgresql://x@127.0.0.1:1/db", "--from", "file:./missing.db"], /no SQLite database at .*missing\.db/],
  ])("given %j, refuses with one line and touches nothing", async (args, message) => {
    const run = spawnScript("scripts/db-move.ts", { cwd: scratch(), args });
    expect(await run.exited).toBe(1);
    const lines = run.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});
