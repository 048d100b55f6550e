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
  /** A group that stayed ready this long starts again from `firstMs` when it next exits. */
  stableMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { firstMs: 1000, maxMs: 60_000, stableMs: 60_000 };

/**
 * How long a group of `shards` shards gets to report ready before it is stopped and started again. Discord lets a
 * bot identify one shard per 5 s (per max_concurrency bucket), and this machine's restarted groups or another
 * machine's launcher may be identifying from the same bucket meanwhile, so 10 s a shard; plus a minute for the
 * process itself: migrating a fresh database, reading the lore, and discord.js waiting up to 15 s for a shard's
 * servers after its READY. With SHARDS_PER_PROCESS's default of 8: 140 s. It grows with the group so that a large
 * SHARDS_PER_PROCESS is never cut off half-way through identifying, over and over.
 */
export function defaultStartTimeoutMs(shards: number): number {
  return 60_000 + 10_000 * shards;
}

/**
 * How long a group gets to stop after SIGTERM before it is killed: it closes its gateway connections and its
 * database and waits for the timed jobs in hand (leased, so one killed half-way is run again elsewhere). Shorter
 * than Kubernetes' 30 s and systemd's 90 s, so that the launcher kills and exits before its own manager kills it.
 */
export const DEFAULT_STOP_GRACE_MS = 15_000;

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
  /** A group not ready this long after it started is stopped and started again; by default it grows with the group. */
  startTimeoutMs?: number;
  /** A group still running this long after it was told to stop is killed with SIGKILL. */
  stopGraceMs?: number;
}

interface Group {
  index: number;
  shards: number[];
  child: ChildProcess | undefined;
  exited: Promise<void>;
  /** When the running process reported ready; undefined until it does. */
  readyAt: number | undefined;
  failures: number;
  restart: NodeJS.Timeout | undefined;
  startDeadline: NodeJS.Timeout | undefined;
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
  private readonly stopGraceMs: number;
  private stopping: Promise<void> | undefined;
  private failure: string | undefined;
  private reportFailure: (message: string) => void = () => undefined;

  constructor(private readonly options: ShardLauncherOptions) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.stopGraceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    this.groups = shardGroups(options.shards.ids, options.perProcess).map((shards, index) => ({
      index,
      shards,
      child: undefined,
      exited: Promise.resolve(),
      readyAt: undefined,
      failures: 0,
      restart: undefined,
      startDeadline: undefined,
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

  /**
   * Forwards `signal` to every group and waits for them to exit; a group still running after the stop grace period
   * is killed, and the returned promise then rejects naming it. Safe to call twice.
   */
  stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    this.stopping ??= (async () => {
      for (const group of this.groups) {
        clearTimeout(group.restart);
        clearTimeout(group.startDeadline);
        group.child?.kill(signal);
      }
      const killed = await Promise.all(this.groups.map((group) => this.killAfterGrace(group)));
      const stuck = this.groups.filter((_, i) => killed[i]).map((group) => group.index);
      if (stuck.length > 0) {
        const which = stuck.length === 1 ? `shard group ${stuck[0]} was` : `shard groups ${stuck.join(", ")} were`;
        throw new Error(`${which} still running ${this.stopGraceMs} ms after ${signal} and had to be killed`);
      }
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
    group.readyAt = undefined;
    const fields = { group: group.index, shards: formatShardIds(group.shards), pid: child.pid };
    options.log.info(fields, "shard group started");
    let settle: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    // A group that hangs before ready would hold back every group after it: it is stopped, and its exit restarts
    // it with the backoff as for any crash (never before it has exited, so a group never runs twice at once).
    const startTimeoutMs = options.startTimeoutMs ?? defaultStartTimeoutMs(group.shards.length);
    let timedOut = false;
    group.startDeadline = setTimeout(() => {
      group.startDeadline = undefined;
      if (this.stopping) return;
      timedOut = true;
      options.log.warn({ ...fields, startTimeoutMs }, "shard group not ready in time; stopping it to start again");
      child.kill("SIGTERM");
      void this.killAfterGrace(group);
    }, startTimeoutMs);
    child.on("message", (message) => {
      if (!isGroupReport(message)) return;
      if (message.kind === "ready") {
        if (timedOut) return;
        clearTimeout(group.startDeadline);
        group.readyAt = Date.now();
        options.log.info({ ...fields, shards: message.shards }, "shard group ready");
        settle();
      } else this.fail(group, message.message);
    });
    child.on("error", (error) => options.log.error({ ...fields, err: error }, "shard group process error"));
    group.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        clearTimeout(group.startDeadline);
        group.child = undefined;
        this.exited(group, child.pid, code, signal);
        settle();
        resolve();
      });
    });
    return settled;
  }

  /** Waits for the group's process to exit, SIGKILLing it if it still runs after the grace period; true if it had to. */
  private async killAfterGrace(group: Group): Promise<boolean> {
    const child = group.child;
    if (!child) return false;
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      this.options.log.warn(
        { group: group.index, shards: formatShardIds(group.shards), pid: child.pid, graceMs: this.stopGraceMs },
        "shard group did not stop in time; killing it",
      );
      child.kill("SIGKILL");
    }, this.stopGraceMs);
    await group.exited;
    clearTimeout(timer);
    return killed;
  }

  private exited(group: Group, pid: number | undefined, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    const { readyAt } = group;
    group.failures = readyAt !== undefined && Date.now() - readyAt >= this.backoff.stableMs ? 1 : group.failures + 1;
    const delay = restartDelayMs(group.failures, this.backoff);
    this.options.log.warn(
      { group: group.index, shards: formatShardIds(group.shards), pid, code, signal, restartInMs: delay },
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
    // A group killed on the way down is logged by stop() and changes nothing here: the bot exits with `message`.
    void this.stop("SIGTERM")
      .catch(() => undefined)
      .then(() => this.reportFailure(message));
  }
}
