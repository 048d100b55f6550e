import { Counter, Gauge, Histogram, Registry } from "prom-client";

export type Outcome = "ok" | "user_error" | "error";

/** The bot's Prometheus metrics, on a registry of its own (no globals: tests and several bots in one process). */
export class Metrics {
  readonly registry = new Registry();
  readonly interactions = new Counter({
    name: "khitomer_interactions_total",
    help: "Interactions handled, by kind, command and outcome.",
    labelNames: ["kind", "command", "outcome"] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: "khitomer_interaction_seconds",
    help: "Time from receiving an interaction to finishing its handler.",
    labelNames: ["kind"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly schedulerLag = new Gauge({
    name: "khitomer_scheduler_lag_seconds",
    help: "How long the oldest due job has been waiting (0 when none is late).",
    registers: [this.registry],
  });
  readonly shardStatus = new Gauge({
    name: "khitomer_shard_ready",
    help: "1 when the shard's gateway connection is ready, else 0.",
    labelNames: ["shard"] as const,
    registers: [this.registry],
  });
  readonly loreEntries = new Gauge({
    name: "khitomer_lore_entries",
    help: "Lore entries in the search index (canon and every server's own).",
    registers: [this.registry],
  });
}
