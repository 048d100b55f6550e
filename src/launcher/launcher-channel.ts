/**
 * The few words a shard group's process and its launcher exchange over the IPC channel `fork` opens. Logs and
 * errors for people still go to stdout and stderr.
 */

/** Set in a shard group's environment (its index): the process runs its group and never launches others. */
export const SHARD_GROUP_ENV = "KHITOMER_SHARD_GROUP";

export type GroupReport =
  /** The group's gateway shards are connected and have their servers. */
  | { kind: "ready"; shards: number[] }
  /** Startup failed for a reason a restart cannot fix (a wrong setting, a refused intent): stop the whole bot. */
  | { kind: "fatal"; message: string };

export function isShardGroup(env: NodeJS.ProcessEnv): boolean {
  return (env[SHARD_GROUP_ENV] ?? "") !== "";
}

export function isGroupReport(value: unknown): value is GroupReport {
  if (typeof value !== "object" || value === null) return false;
  const report = value as Record<string, unknown>;
  return (
    (report.kind === "ready" && Array.isArray(report.shards)) ||
    (report.kind === "fatal" && typeof report.message === "string")
  );
}

/** Tells the launcher; resolves false when this process has no launcher to tell (or it is gone). */
export function tellLauncher(report: GroupReport): Promise<boolean> {
  const send = process.send?.bind(process);
  if (!send || !process.connected) return Promise.resolve(false);
  return new Promise((resolve) => {
    send(report, (error: Error | null) => resolve(error === null));
  });
}
