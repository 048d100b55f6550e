import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { ROOT } from "../lib/paths.js";

export interface Started {
  child: ChildProcess;
  pid: number;
  /** From spawn() to the ready line, in ms. */
  readyMs: number;
  output(): string;
  /** Resident memory now, from /proc/<pid>/status (VmRSS), in MB. */
  rssMb(): number;
  stop(): Promise<void>;
}

/**
 * Starts a process with only the environment given (plus PATH), so a developer's .env or shell cannot change what
 * is measured, and resolves once a line of its output matches `ready`.
 */
export function startProcess(
  args: string[],
  options: { env: Record<string, string>; ready: RegExp; timeoutMs?: number },
): Promise<Started> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // NODE_OPTIONS passes through, so flags can be compared: NODE_OPTIONS=--max-semi-space-size=2 npm run bench
    env: {
      PATH: process.env.PATH ?? "",
      ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const handle = (readyMs: number): Started => ({
    child,
    pid: child.pid ?? -1,
    readyMs,
    output: () => output,
    rssMb: () => readRssMb(child.pid ?? -1),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  });
  return new Promise((resolve, reject) => {
    let pending = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no ready line from node ${args[0]} within ${options.timeoutMs ?? 120_000} ms:\n${output}`));
    }, options.timeoutMs ?? 120_000);
    const onData = (chunk: Buffer) => {
      const text = String(chunk);
      output += text;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      if (lines.some((line) => options.ready.test(line))) {
        const readyMs = performance.now() - started;
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stdout?.on("data", (more: Buffer) => {
          output += String(more);
        });
        resolve(handle(readyMs));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += String(chunk);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`node ${args[0]} exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

export function readRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** CPU time (user + system) the process has used so far, in seconds, from /proc/<pid>/stat. */
export function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux the bench runs on (sysconf is not reachable from Node). */
const CLOCK_TICKS = 100;
