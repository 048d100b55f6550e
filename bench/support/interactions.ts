import { randomBytes } from "node:crypto";
import type { APIInteraction } from "discord.js";
import { commands } from "../../commands/index.js";
import type { CommandDefinition } from "../../test/loopback/interactions.js";
import { type LoopbackDiscord, snowflake } from "../../test/loopback/server.js";

/** A command's definition as deployed, so fixtures type options the way Discord would send them. */
export function definition(name: string): CommandDefinition {
  const found = commands.find((command) => command.data.name === name);
  if (!found) throw new Error(`no command ${name}`);
  // The deploy body and the registered command share the option shapes the fixtures read.
  return found.data as unknown as CommandDefinition;
}

/**
 * A payload built once by a fixture, sent again as a new interaction (new id and token). Building fixtures in the
 * measured loop would make the harness, not the bot, the bottleneck.
 */
export function again<T extends APIInteraction>(template: T): T {
  const id = snowflake();
  return {
    ...template,
    id,
    token: Buffer.from(`interaction:${id}:${randomBytes(24).toString("base64url")}`).toString("base64url"),
  };
}

export interface LoadResult {
  /** Round trips in ms: dispatch of INTERACTION_CREATE until the loopback received the callback. */
  latencies: number[];
  completed: number;
  failed: number;
  elapsedMs: number;
  perSecond: number;
}

/**
 * Keeps `inFlight` interactions outstanding for `durationMs` (closed loop: each answer sends the next), cycling
 * through the templates. Only answers received inside the window count toward the rate.
 */
export async function sustain(
  discord: LoopbackDiscord,
  templates: readonly APIInteraction[],
  inFlight: number,
  durationMs: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const started = performance.now();
  const end = started + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const template = templates[next % templates.length] as APIInteraction;
      next += 1;
      const sent = performance.now();
      try {
        await discord.interact(again(template), { timeoutMs: 5000 }).callback;
        const done = performance.now();
        if (done <= end) latencies.push(done - sent);
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsedMs = durationMs;
  return {
    latencies,
    completed: latencies.length,
    failed,
    elapsedMs,
    perSecond: latencies.length / (elapsedMs / 1000),
  };
}
