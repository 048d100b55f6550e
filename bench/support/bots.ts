import type { LoopbackDiscord } from "../../test/loopback/server.js";
import { heapProbeNodeOptions } from "./heap-probe.js";
import { type Started, startProcess } from "./processes.js";

export interface BotOptions {
  /** Preload bench/support/heap-probe.cjs, so that readHeap() can ask for the V8 heap (the startup figure). */
  heapProbe?: boolean;
}

/**
 * The production start (`npm start` after `npm run build`): compiled JavaScript, configured only by environment,
 * logging JSON lines. Ready when it logs "ready" (after the database, the lore index and the gateway).
 */
export function startProductionBot(
  discord: LoopbackDiscord,
  databaseFile: string,
  options: BotOptions = {},
): Promise<Started> {
  // BENCH_CPU_PROF=<dir>: each bot process writes a V8 CPU profile there when it stops (for finding hot paths).
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  return startProcess([...profile, "dist/src/main.js"], {
    env: {
      ...(options.heapProbe ? { NODE_OPTIONS: heapProbeNodeOptions() } : {}),
      NODE_ENV: "production",
      DISCORD_TOKEN: discord.token,
      DISCORD_API_BASE: discord.apiBase,
      DATABASE_URL: `file:${databaseFile}`,
      LORE_DIR: "data",
      LOG_LEVEL: "info",
      DISCORD_MEMBERS_INTENT: "true",
    },
    ready: /"msg":"ready"/,
  });
}

/**
 * A bare discord.js client with the bot's intents, as `node -e`: logs in, says "ready", and (for the floor of the
 * autocomplete figure) answers every autocomplete with the same 25 choices. The least any discord.js bot costs.
 */
export function startBareClient(
  discord: LoopbackDiscord,
  options: BotOptions & { answerAutocomplete: boolean },
): Promise<Started> {
  const script = `
const { Client, Events, GatewayIntentBits } = require("discord.js");
const client = new Client({
  intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers],
  rest: { api: process.env.DISCORD_API_BASE },
});
const choices = Array.from({ length: 25 }, (_, i) => ({ name: "Faction " + i, value: "faction-" + i }));
${options.answerAutocomplete ? "client.on(Events.InteractionCreate, (i) => { if (i.isAutocomplete()) i.respond(choices).catch(() => {}); });" : ""}
client.once(Events.ClientReady, () => console.log("ready"));
process.once("SIGTERM", () => client.destroy().then(() => process.exit(0)));
client.login(process.env.DISCORD_TOKEN);
`;
  return startProcess(["-e", script], {
    env: {
      ...(options.heapProbe ? { NODE_OPTIONS: heapProbeNodeOptions() } : {}),
      DISCORD_TOKEN: discord.token,
      DISCORD_API_BASE: discord.apiBase,
    },
    ready: /^ready$/,
  });
}
