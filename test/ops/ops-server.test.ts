import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackData, startTestBot, type TestBot } from "../support/bot-harness.js";

// The operations endpoint of a running bot: health with reasons, and Prometheus metrics.

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot({ env: { OPS_PORT: "0" } });
});
afterAll(async () => {
  await t?.stop();
});

const get = async (path: string) => {
  const response = await fetch(`http://127.0.0.1:${t.bot.ops?.port}${path}`);
  return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
};

describe("ops endpoint", () => {
  it("is off unless OPS_PORT is set, and listens on loopback when it is", () => {
    expect(t.bot.ops?.port).toBeGreaterThan(0);
  });

  it("/healthz reports the gateway, the database and the scheduler", async () => {
    const health = await get("/healthz");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({
      ok: true,
      gateway: { ready: true, shards: 1 },
      database: { ok: true },
      scheduler: { ok: true, lagSeconds: 0 },
    });
  });

  it("/metrics counts interactions by command and outcome, with latency", async () => {
    await callbackData(t.command("faction", "info", { name: "kdf" }));
    await callbackData(t.command("faction", "info", { name: "qwxzv" }));
    const metrics = await get("/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(/khitomer_interactions_total\{kind="command",command="faction",outcome="ok"\} 1/);
    expect(metrics.body).toMatch(
      /khitomer_interactions_total\{kind="command",command="faction",outcome="user_error"\} 1/,
    );
    expect(metrics.body).toMatch(/khitomer_interaction_seconds_count\{kind="command"\} 2/);
    expect(metrics.body).toMatch(/khitomer_shard_ready\{shard="0"\} 1/);
    expect(metrics.body).toMatch(/khitomer_lore_entries \d{3}/);
  });

  it("a scheduler that fell behind makes /healthz answer 503 and say so", async () => {
    await t.bot.ctx.jobs.stop();
    await t.bot.ctx.db.prisma.scheduledJob.create({
      data: { key: "test:late", kind: "test", dueAt: new Date(Date.now() - 10 * 60_000) },
    });
    const health = await get("/healthz");
    expect(health.status).toBe(503);
    const body = JSON.parse(health.body);
    expect(body.scheduler.ok).toBe(false);
    expect(body.scheduler.lagSeconds).toBeGreaterThan(590);
    expect((await get("/metrics")).body).toMatch(/khitomer_scheduler_lag_seconds 6\d\d/);
  });

  it("anything else is 404", async () => {
    expect((await get("/admin")).status).toBe(404);
  });
});
