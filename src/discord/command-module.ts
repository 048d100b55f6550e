import type {
  AutocompleteInteraction,
  ChatInputCommandInteraction,
  MessageComponentInteraction,
  ModalSubmitInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import type { Config } from "../config/config.js";
import type { CouncilService } from "../council/council-service.js";
import type { Database } from "../db/database.js";
import type { FactionService } from "../factions/faction-service.js";
import type { Logger } from "../logging/logger.js";
import type { LoreService } from "../lore/lore-service.js";
import type { Metrics } from "../ops/metrics.js";
import type { JobLoop } from "../scheduler/job-loop.js";
import type { Clock } from "../time/clock.js";
import type { TreatyService } from "../treaties/treaty-service.js";
import type { TimerRegistry } from "./timers.js";

/** Everything a handler may use, passed in explicitly (no globals, no expandos on the client). */
export interface AppContext {
  config: Config;
  log: Logger;
  db: Database;
  lore: LoreService;
  factions: FactionService;
  treaties: TreatyService;
  council: CouncilService;
  /** The loop that runs timed jobs (treaty deadlines); started once the bot is connected. */
  jobs: JobLoop;
  clock: Clock;
  metrics: Metrics;
  timers: TimerRegistry;
  /** The commands the bot serves, for /help. */
  commands: readonly CommandModule[];
}

export type ComponentHandler = (
  interaction: MessageComponentInteraction | ModalSubmitInteraction,
  args: string[],
  ctx: AppContext,
) => Promise<void>;

/**
 * One slash command: its definition (registered by deploy-commands and checked against Discord's limits in
 * tests) and its handlers. Component custom ids are "<prefix>:<arg>:<arg>..."; each module owns its prefixes.
 */
export interface CommandModule {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  execute(interaction: ChatInputCommandInteraction, ctx: AppContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: AppContext): Promise<void>;
  components?: Record<string, ComponentHandler>;
}

export function isCommandModule(value: unknown): value is CommandModule {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<CommandModule>;
  return (
    typeof candidate.data === "object" &&
    candidate.data !== null &&
    typeof candidate.data.name === "string" &&
    typeof candidate.execute === "function" &&
    (candidate.autocomplete === undefined || typeof candidate.autocomplete === "function") &&
    (candidate.components === undefined || typeof candidate.components === "object")
  );
}
