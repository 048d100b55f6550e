import { type ChildProcess, fork } from "node:child_process";
import { ConfigError } from "../config/config.js";
import type { Logger } from "../logging/logger.js";
import { isGroupReport, SHARD_GROUP_ENV } from "./launcher-channel.js";
import type { ShardList } from "./shard-plan.js";

/**
 * Splits a machine's shards into as few groups of at most `perProcess` as fit, as even in size as possible
 * (10 shards, 8 per process: two groups of 5), keeping neighbouring ids together.
 */
export function shardGroups(ids: readonly number[], perProcess: number): number[][] {
  if (!Number.isInteger(perProcess) || perProcess < 1)
    throw new RangeError(`perProcess must be a positive whole number, not ${perProcess}`);
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const count = Math.ceil(sorted.length / perProcess);
  const groups: number[][] = [];
  let from = 0;
  for (let i = 0; i < count; i += 1) {
    const size = Math.floor(sorted.length / count) + (i < sorted.length % count ? 1 : 0);
    groups.push(sorted.slice(from, from + size));
    from += size;
  }
  return groups;
}

/** A group as SHARD_IDS reads it: runs of neighbouring ids as ranges ("0-3,8"). */
export function formatShardIds(ids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === (ids[j] as number) + 1) j += 1;
    parts.push(i === j ? `${ids[i]}` : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

export interface Backoff {
  firstMs: number;
  maxMs: number;
  /** A group that stayed up this long starts again from `firstMs` when it next exits. */
  stableMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { firstMs: 1000, maxMs: 60_000, stableMs: 60_000 };

/** The wait before restarting a group after its `failures`-th exit in a row: doubling, up to the maximum. */
export function restartDelayMs(failures: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  return Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.max(0, failures - 1));
}

export interface ShardLauncherOptions {
  /** The entry script every group runs (the launcher's own), and the Node flags it runs with (tsx's loader). */
  script: string;
  execArgv: readonly string[];
  env: NodeJS.ProcessEnv;
  shards: ShardList;
  perProcess: number;
  /** OPS_PORT: group i serves its ops endpoint on this port + i (0 lets each pick a free one). */
  opsPort: number | undefined;
  log: Logger;
  backoff?: Backoff;
}

interface Group {
  index: number;
  shards: number[];
  child: ChildProcess | undefined;
  exited: Promise<void>;
  startedAt: number;
  failures: number;
  restart: NodeJS.Timeout | undefined;
}

/**
 * Runs a machine's shards as one child process per group (this same script with SHARD_IDS set to the group),
 * restarts a group that exits unexpectedly, and stops them all on stop().
 */
export class ShardLauncher {
  /** Resolves with a group's message when it could not start for a reason a restart cannot fix; all are stopped. */
  readonly failed: Promise<string>;
  private readonly groups: Group[];
  private readonly backoff: Backoff;
  private stopping: Promise<void> | undefined;
  private failure: string | undefined;
  private reportFailure: (message: string) => void = () => undefined;

  constructor(private readonly options: ShardLauncherOptions) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.groups = shardGroups(options.shards.ids, options.perProcess).map((shards, index) => ({
      index,
      shards,
      child: undefined,
      exited: Promise.resolve(),
      startedAt: 0,
      failures: 0,
      restart: undefined,
    }));
    const lastPort = (options.opsPort ?? 0) + this.groups.length - 1;
    if (options.opsPort && lastPort > 65535)
      throw new ConfigError(
        "OPS_PORT",
        `OPS_PORT ${options.opsPort} leaves no port for shard group ${this.groups.length - 1}: the ${this.groups.length} groups use OPS_PORT to OPS_PORT+${this.groups.length - 1}, at most 65535`,
      );
    this.failed = new Promise((resolve) => {
      this.reportFailure = resolve;
    });
  }

  /**
   * Starts the groups one after the other, each once the one before is ready: Discord lets a bot identify only so
   * many shards at a time, and a fresh database is migrated once rather than by all groups at once.
   */
  async start(): Promise<void> {
    const { log, shards, perProcess } = this.options;
    log.info(
      { shards: shards.count, groups: this.groups.length, perProcess, pid: process.pid },
      "launching shard groups",
    );
    for (const group of this.groups) {
      if (this.stopping) return;
      await this.spawn(group);
    }
  }

  /** Forwards `signal` to every group, waits for them to exit. Safe to call twice. */
  stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    this.stopping ??= (async () => {
      for (const group of this.groups) {
        clearTimeout(group.restart);
        group.child?.kill(signal);
      }
      await Promise.all(this.groups.map((group) => group.exited));
      this.options.log.info("stopped");
    })();
    return this.stopping;
  }

  /** Resolves when the group's process is ready or has exited. */
  private spawn(group: Group): Promise<void> {
    const { options } = this;
    const opsPort = options.opsPort ? { OPS_PORT: String(options.opsPort + group.index) } : {};
    const child = fork(options.script, [], {
      execArgv: [...options.execArgv],
      env: {
        ...options.env,
        SHARD_IDS: formatShardIds(group.shards),
        SHARD_COUNT: String(options.shards.count),
        [SHARD_GROUP_ENV]: String(group.index),
        ...opsPort,
      },
      // Its own process group: a Ctrl-C in the terminal reaches the launcher only, which passes it on once. (On
      // Windows this would open a console window per group instead, and Ctrl-C reaches every process anyway.)
      detached: process.platform !== "win32",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    group.child = child;
    group.startedAt = Date.now();
    const fields = { group: group.index, shards: formatShardIds(group.shards), pid: child.pid };
    options.log.info(fields, "shard group started");
    let settle: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    child.on("message", (message) => {
      if (!isGroupReport(message)) return;
      if (message.kind === "ready") {
        options.log.info({ ...fields, shards: message.shards }, "shard group ready");
        settle();
      } else this.fail(group, message.message);
    });
    child.on("error", (error) => options.log.error({ ...fields, err: error }, "shard group process error"));
    group.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        group.child = undefined;
        this.exited(group, code, signal);
        settle();
        resolve();
      });
    });
    return settled;
  }

  private exited(group: Group, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    group.failures = Date.now() - group.startedAt >= this.backoff.stableMs ? 1 : group.failures + 1;
    const delay = restartDelayMs(group.failures, this.backoff);
    this.options.log.warn(
      { group: group.index, shards: formatShardIds(group.shards), code, signal, restartInMs: delay },
      "shard group exited; restarting it",
    );
    group.restart = setTimeout(() => {
      group.restart = undefined;
      if (!this.stopping) void this.spawn(group);
    }, delay);
  }

  private fail(group: Group, message: string): void {
    if (this.failure !== undefined) return;
    this.failure = message;
    this.options.log.error({ group: group.index, reason: message }, "shard group cannot start; stopping all groups");
    void this.stop("SIGTERM").then(() => this.reportFailure(message));
  }
}
