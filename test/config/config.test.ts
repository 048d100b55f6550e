import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, requireToken } from "../../src/config/config.js";

const TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDe.abcdefghijklmnopqrstuvwxyz0123456789AB";

describe("loadConfig", () => {
  it("given an empty environment, uses the documented defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      discordToken: undefined,
      discordApiBase: "https://discord.com/api",
      databaseUrl: "file:./var/khitomer.db",
      logLevel: "info",
      loreDir: "data",
      jobLeaseMs: 60_000,
    });
  });

  it("reads the job lease in seconds", () => {
    expect(loadConfig({ JOB_LEASE_SECONDS: "2.5" }).jobLeaseMs).toBe(2500);
  });

  it("treats blank settings (as copied from .env.example) as unset", () => {
    expect(loadConfig({ DISCORD_TOKEN: "", DEV_GUILD_ID: "  ", LOG_LEVEL: "" }).logLevel).toBe("info");
  });

  it("accepts the API base with or without the version and a trailing slash", () => {
    expect(loadConfig({ DISCORD_API_BASE: "http://127.0.0.1:9999/api/v10/" }).discordApiBase).toBe(
      "http://127.0.0.1:9999/api",
    );
  });

  it.each([
    ["LOG_LEVEL", "loud", /LOG_LEVEL must be one of fatal, error, warn, info/],
    ["DEV_GUILD_ID", "my-server", /DEV_GUILD_ID must be a Discord id/],
    ["DISCORD_APPLICATION_ID", "12", /DISCORD_APPLICATION_ID must be a Discord id/],
    ["DISCORD_API_BASE", "discord.com", /DISCORD_API_BASE must be a URL/],
    ["DATABASE_URL", "mysql://x", /DATABASE_URL must be a SQLite file URL.*or postgresql:\/\//],
    ["DISCORD_TOKEN", "not a token", /DISCORD_TOKEN does not look like a bot token/],
    ["OPS_PORT", "http", /OPS_PORT must be a port number/],
    ["OPS_PORT", "70000", /OPS_PORT must be 0 to 65535/],
    ["SHARD_COUNT", "0", /SHARD_COUNT must be at least 1/],
    ["JOB_LEASE_SECONDS", "0.5", /JOB_LEASE_SECONDS must be at least 1/],
    ["JOB_LEASE_SECONDS", "soon", /JOB_LEASE_SECONDS must be a number of seconds/],
    ["DISCORD_MEMBERS_INTENT", "yes", /DISCORD_MEMBERS_INTENT must be true or false/],
  ])("given %s=%s, fails naming the setting in one line", (setting, value, message) => {
    let caught: unknown;
    try {
      loadConfig({ [setting]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).setting).toBe(setting);
    expect((caught as ConfigError).message).toMatch(message);
    expect((caught as ConfigError).message).not.toContain("\n");
  });

  it("requireToken names DISCORD_TOKEN and points to the console when it is missing", () => {
    expect(() => requireToken(loadConfig({}))).toThrow(/DISCORD_TOKEN is not set.*npm run console/);
    expect(requireToken(loadConfig({ DISCORD_TOKEN: TOKEN }))).toBe(TOKEN);
  });
});
