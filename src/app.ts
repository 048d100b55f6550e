import { type Client, Events } from "discord.js";
import { commands as defaultCommands } from "../commands/index.js";
import type { Config } from "./config/config.js";
import { COUNCIL_JOB, CouncilService } from "./council/council-service.js";
import { CouncilStore } from "./council/council-store.js";
import { type Database, openDatabase } from "./db/database.js";
import { createDiscordClient } from "./discord/client.js";
import type { AppContext, CommandModule } from "./discord/command-module.js";
import { discordCouncilPublisher } from "./discord/council-messages.js";
import { discordRoles } from "./discord/discord-roles.js";
import { registerMemberEvents } from "./discord/member-events.js";
import { createInteractionRouter } from "./discord/router.js";
import { TimerRegistry } from "./discord/timers.js";
import { discordTreatyPublisher } from "./discord/treaty-messages.js";
import { FactionService, RESYNC_JOB } from "./factions/faction-service.js";
import { FactionStore } from "./factions/faction-store.js";
import type { RoleGateway } from "./factions/roles.js";
import type { Logger } from "./logging/logger.js";
import { LoreService } from "./lore/lore-service.js";
import { LoreStore } from "./lore/lore-store.js";
import { Metrics } from "./ops/metrics.js";
import { type OpsServer, startOpsServer } from "./ops/ops-server.js";
import { JobLoop } from "./scheduler/job-loop.js";
import { JobStore } from "./scheduler/job-store.js";
import { type Clock, systemClock } from "./time/clock.js";
import { CLOSE_JOB, TreatyService } from "./treaties/treaty-service.js";
import { TreatyStore } from "./treaties/treaty-store.js";
import { loadCompactly } from "./v8-memory.js";

export interface AppOptions {
  config: Config;
  log: Logger;
  /** How faction roles reach Discord (discord.js in the bot; something else in tools and tests). */
  roles: RoleGateway;
  clock?: Clock;
  commands?: readonly CommandModule[];
}

/** Database, lore and context: everything but the Discord connection (the lore import CLI stops here). */
export async function createApp(options: AppOptions): Promise<AppContext> {
  const { config, log } = options;
  const db: Database = await openDatabase(config.databaseUrl);
  if (db.migrations.applied.length > 0) log.info({ migrations: db.migrations.applied }, "database migrated");
  for (const name of db.migrations.modified)
    log.warn({ migration: name }, "a migration file changed after it was applied");
  const lore = new LoreService(new LoreStore(db.prisma, db.scanRows), log);
  try {
    await loadCompactly(() => lore.load());
    const result = await lore.importCanon(config.loreDir);
    if (result.status === "invalid") {
      for (const problem of result.problems) log.error(problem, "canon lore file refused");
      log.error(
        { loreDir: config.loreDir },
        "canon lore not imported: fix the files above; the bot serves the lore it had",
      );
    }
  } catch (error) {
    await db.close();
    throw error;
  }
  const clock = options.clock ?? systemClock;
  const jobStore = new JobStore(db.prisma);
  const factions = new FactionService(new FactionStore(db.prisma), lore, options.roles, clock, log, jobStore);
  const jobs = new JobLoop(jobStore, clock, log, { leaseMs: config.jobLeaseMs });
  const treaties = new TreatyService(new TreatyStore(db.prisma), jobStore, factions, lore, clock, log, jobs);
  jobs.on(CLOSE_JOB, async (job) => {
    await treaties.closeByDeadline(String(job.guildId), String(job.payload.treatyId));
  });
  const council = new CouncilService(
    new CouncilStore(db.prisma, config.jobLeaseMs),
    jobStore,
    factions,
    treaties,
    clock,
    log,
    jobs.owner,
    () => {
      void jobs.poke();
    },
  );
  jobs.on(RESYNC_JOB, async (job) => {
    const guildId = String(job.guildId);
    const report = await factions.resync(guildId, null);
    log.info(
      { guildId, granted: report.granted, revoked: report.revoked, problems: report.problems.length },
      "faction roles resynced after a refused change",
    );
  });
  jobs.on(COUNCIL_JOB, async (job) => {
    await council.run(String(job.payload.scheduleId));
  });
  return {
    config,
    log,
    db,
    lore,
    factions,
    treaties,
    council,
    jobs,
    clock,
    metrics: new Metrics(),
    timers: new TimerRegistry(),
    commands: options.commands ?? defaultCommands,
  };
}

export interface RunningBot {
  ctx: AppContext;
  client: Client;
  /** The /healthz and /metrics endpoint when OPS_PORT is set. */
  ops: OpsServer | undefined;
  /** Closes the gateway, clears timers and closes the database. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startBot(options: Omit<AppOptions, "roles"> & { token: string }): Promise<RunningBot> {
  const client = createDiscordClient(options.config, options.log);
  const ctx = await createApp({
    ...options,
    roles: discordRoles(client, { membersIntent: options.config.membersIntent }),
  });
  const router = createInteractionRouter(ctx.commands, ctx);
  client.on(Events.InteractionCreate, (interaction) => {
    void router.handle(interaction);
  });
  registerMemberEvents(client, ctx);
  ctx.treaties.usePublisher(discordTreatyPublisher(client, ctx.log));
  ctx.council.usePublisher(discordCouncilPublisher(client, ctx.log));
  // Timed jobs start once the gateway is up, so a due treaty close can post its result.
  client.once(Events.ClientReady, () => ctx.jobs.start());
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  let stopped: Promise<void> | undefined;
  let ops: OpsServer | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await ops?.close();
      ctx.timers.clear();
      await ctx.jobs.stop();
      ctx.treaties.coalescer.stop();
      await client.destroy();
      await ctx.db.close();
      ctx.log.info("stopped");
    })());
  try {
    await client.login(options.token);
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  if (ctx.config.opsPort !== undefined) {
    ops = await startOpsServer(ctx.config.opsHost, ctx.config.opsPort, {
      client,
      db: ctx.db,
      jobs: ctx.jobs.store,
      metrics: ctx.metrics,
      clock: ctx.clock,
      log: ctx.log,
      loreEntries: () => ctx.lore.index.size,
    });
  }
  ctx.log.info(
    {
      user: client.user?.tag,
      guilds: client.guilds.cache.size,
      lore: ctx.lore.index.size,
      shards: [...client.ws.shards.keys()],
      // The name this process claims timed jobs under (scheduled_jobs.claimedBy): "<pid>-<random>".
      worker: ctx.jobs.owner,
    },
    "ready",
  );
  return { ctx, client, ops, stop };
}
