import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Client, Status } from "discord.js";
import type { Database } from "../db/database.js";
import type { Logger } from "../logging/logger.js";
import type { JobStore } from "../scheduler/job-store.js";
import type { Clock } from "../time/clock.js";
import type { Metrics } from "./metrics.js";

export interface OpsDeps {
  client: Client;
  db: Database;
  jobs: JobStore;
  metrics: Metrics;
  clock: Clock;
  log: Logger;
  loreEntries: () => number;
}

/** A scheduler this far behind counts as unhealthy. */
const LAG_UNHEALTHY_MS = 5 * 60_000;

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The operations endpoint (off unless OPS_PORT is set): GET /healthz answers 200 or 503 with what is wrong
 * (gateway, database, scheduler lag); GET /metrics is Prometheus text.
 */
export async function startOpsServer(host: string, port: number, deps: OpsDeps): Promise<OpsServer> {
  const server: Server = createServer((request, response) => {
    void route(request.method ?? "GET", (request.url ?? "/").split("?")[0] ?? "/", deps).then(
      ({ status, type, body }) => {
        response.writeHead(status, { "content-type": type });
        response.end(body);
      },
      (error: unknown) => {
        deps.log.error({ err: error }, "ops endpoint failed");
        response.writeHead(500, { "content-type": "text/plain" });
        response.end("internal error\n");
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  deps.log.info({ host, port: address.port }, "ops endpoint listening");
  return {
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function route(
  method: string,
  path: string,
  deps: OpsDeps,
): Promise<{ status: number; type: string; body: string }> {
  if (method !== "GET") return { status: 405, type: "text/plain", body: "method not allowed\n" };
  if (path === "/healthz") {
    const health = await checkHealth(deps);
    return { status: health.ok ? 200 : 503, type: "application/json", body: `${JSON.stringify(health)}\n` };
  }
  if (path === "/metrics") {
    await refreshGauges(deps);
    return { status: 200, type: deps.metrics.registry.contentType, body: await deps.metrics.registry.metrics() };
  }
  return { status: 404, type: "text/plain", body: "not found: try /healthz or /metrics\n" };
}

async function checkHealth(deps: OpsDeps) {
  const gateway = deps.client.ws.status === Status.Ready;
  let database = true;
  try {
    await deps.db.prisma.$queryRawUnsafe("SELECT 1");
  } catch {
    database = false;
  }
  const lagMs = database ? await deps.jobs.lagMs(deps.clock.now()).catch(() => Number.NaN) : Number.NaN;
  const scheduler = Number.isFinite(lagMs) && lagMs < LAG_UNHEALTHY_MS;
  return {
    ok: gateway && database && scheduler,
    gateway: { ready: gateway, ping: deps.client.ws.ping, shards: deps.client.ws.shards.size },
    database: { ok: database },
    scheduler: { ok: scheduler, lagSeconds: Number.isFinite(lagMs) ? lagMs / 1000 : null },
  };
}

async function refreshGauges(deps: OpsDeps): Promise<void> {
  deps.metrics.schedulerLag.set((await deps.jobs.lagMs(deps.clock.now()).catch(() => 0)) / 1000);
  deps.metrics.loreEntries.set(deps.loreEntries());
  for (const [id, shard] of deps.client.ws.shards)
    deps.metrics.shardStatus.set({ shard: String(id) }, shard.status === Status.Ready ? 1 : 0);
}
