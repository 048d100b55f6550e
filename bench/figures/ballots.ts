import Sqlite from "better-sqlite3";
import type { APIInteraction, APIMessage } from "discord.js";
import { button, chatInput, modalSubmit } from "../../test/loopback/interactions.js";
import type { LoopbackDiscord, RecordedRequest } from "../../test/loopback/server.js";
import { Prng } from "../lib/prng.js";
import { progress } from "../lib/progress.js";
import { summarize } from "../lib/stats.js";
import { type FigureResult, formatNumber, latency, type Row, value } from "../report.js";
import { startProductionBot } from "../support/bots.js";
import type { BenchDatabases } from "../support/databases.js";
import { definition } from "../support/interactions.js";
import { startWorld } from "../support/loopback.js";

const GOAL_MS = 2_000;
/** After the right tally is shown, how long to keep counting edits (the coalescer edits at most every 2 s). */
const QUIET_MS = 3_000;

/**
 * N members click Aye or Nay on one treaty at once, through the loopback, against the production bot: how long
 * until every ballot is in the database and the proposal shows the final tally, and how many times the bot edited
 * the proposal to get there (the naive bot edits once per click).
 */
export async function ballotsFigure(options: { quick: boolean; databases: BenchDatabases }): Promise<FigureResult> {
  const clicks = options.quick ? 200 : 1_000;
  const n = clicks.toLocaleString("en-US");
  const world = await startWorld(clicks);
  const { discord } = world;
  const databaseFile = options.databases.copy(await options.databases.canonDatabase());
  progress("ballots: starting Khitomer (production start)");
  const bot = await startProductionBot(discord, databaseFile);
  const db = new Sqlite(databaseFile);
  try {
    const message = await proposeTreaty(world);
    const treatyId = /^treaty-vote:([^:]+):aye$/.exec(firstCustomId(message))?.[1];
    if (!treatyId) throw new Error("the proposal has no Aye button");
    const rng = new Prng(clicks);
    const choices = world.members.map(() => (rng.chance(0.55) ? "aye" : "nay"));
    const expected = { aye: choices.filter((c) => c === "aye").length, nay: choices.filter((c) => c === "nay").length };
    // Built before the clock starts: the figure times the bot, not the fixtures.
    const payloads: APIInteraction[] = world.members.map((user, i) =>
      button({
        discord,
        guildId: world.guildId,
        user,
        message,
        customId: `treaty-vote:${treatyId}:${choices[i]}`,
      }),
    );
    const proposalRoute = `/channels/${world.channelId}/messages/${message.id}`;
    const isEdit = (r: RecordedRequest) => r.method === "PATCH" && r.route === proposalRoute;
    const since = discord.requests.length;

    progress(`ballots: ${n} members click at once`);
    const answered: number[] = [];
    const wallStart = Date.now();
    const started = performance.now();
    for (const payload of payloads) {
      const sent = performance.now();
      discord.interact(payload, { timeoutMs: 20_000 }).callback.then(
        () => answered.push(performance.now() - sent),
        () => undefined,
      );
    }
    const count = db.prepare<[string], { choice: string; n: number }>(
      "SELECT choice, COUNT(*) AS n FROM ballots WHERE treatyId = ? GROUP BY choice",
    );
    const storedMs = await pollUntil(started, 30_000, () => {
      const rows = count.all(treatyId);
      const cast = (choice: string) => rows.find((row) => row.choice === choice)?.n ?? 0;
      return cast("aye") === expected.aye && cast("nay") === expected.nay;
    });
    const finalTally = `Aye ${expected.aye} · Nay ${expected.nay} · Abstain 0`;
    await discord.waitForRequest((r) => isEdit(r) && tallyOf(r) === finalTally, 30_000);
    const shownMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    // Request times are wall-clock ms; the first dispatch happened at `wallStart`.
    const editTimes = discord.requests
      .slice(since)
      .filter(isEdit)
      .map((r) => `${Math.max(0, r.at - wallStart).toLocaleString("en-US")} ms (${tallyOf(r) ?? "?"})`);
    const edits = editTimes.length;
    const late = discord.requests
      .slice(since)
      .filter(
        (r) => r.method === "POST" && r.route.startsWith("/interactions/") && r.status !== 204 && r.status !== 200,
      ).length;

    const doneMs = Math.max(storedMs, shownMs);
    const rows: Row[] = [
      { measure: `all ${n} ballots stored`, unit: "ms", ours: value(storedMs) },
      { measure: "final tally shown on the proposal", unit: "ms", ours: value(shownMs) },
      {
        measure: "click round trip",
        unit: "ms",
        ours: latency(summarize(answered)),
        note: `${answered.length.toLocaleString("en-US")} of ${n} answered`,
      },
      { measure: "proposal edits (PATCH)", unit: "edits", ours: value(edits), anchor: value(clicks) },
      { measure: "answers refused as late (over 3 s)", unit: "count", ours: value(late) },
    ];
    return {
      id: "ballots",
      title: `${n} members vote on one treaty at once`,
      anchor: `one edit per click (${n} edits, the naive bot)`,
      rows,
      goals: [
        {
          goal: `${n} ballots stored and the final tally shown`,
          target: `≤ ${GOAL_MS / 1000} s`,
          measured: `${formatNumber(doneMs / 1000)} s (stored ${formatNumber(storedMs / 1000)} s, shown ${formatNumber(shownMs / 1000)} s)`,
          pass: doneMs <= GOAL_MS,
        },
      ],
      notes: [
        `Production start on the canon database; /config treaty-voters anyone, then /treaty propose (no parties, majority, quorum 1) through its form. ${n} seeded members click at once (${expected.aye} Aye, ${expected.nay} Nay; every INTERACTION_CREATE dispatched in one burst). Times from the first dispatch: "stored" polls the ballots table every 5 ms; "shown" is the loopback's receipt of the PATCH whose Tally field reads ${finalTally}. Edits counted until ${QUIET_MS / 1000} s after that. "Late" answers are callbacks the loopback refused with 10062 after Discord's 3 s deadline (the member would see "This interaction failed").`,
        `Proposal edits after the first click: ${editTimes.join("; ")}.`,
      ],
    };
  } finally {
    db.close();
    await bot.stop();
    await discord.close();
  }
}

async function proposeTreaty(world: Awaited<ReturnType<typeof startWorld>>): Promise<APIMessage> {
  const { discord, guildId, channelId, ownerId } = world;
  const base = { discord, guildId, channelId, user: ownerId };
  await expectCallback(
    discord,
    chatInput({ ...base, command: definition("config"), subcommand: "treaty-voters", options: { who: "anyone" } }),
  );
  const form = await expectCallback(
    discord,
    chatInput({ ...base, command: definition("treaty"), subcommand: "propose" }),
  );
  if (form.type !== 9 || !form.data) throw new Error(`/treaty propose answered type ${form.type}, not a form`);
  await expectCallback(
    discord,
    modalSubmit({
      ...base,
      modal: form.data,
      fields: {
        title: "Accord of the Thousand",
        terms: "Every member may vote on this treaty, and every ballot counts.",
      },
    }),
  );
  const message = discord.messages(channelId).find((m) => m.embeds[0]?.title?.startsWith("Treaty #1"));
  if (!message) throw new Error("the treaty proposal was not posted");
  return message;
}

async function expectCallback(discord: LoopbackDiscord, payload: APIInteraction) {
  const handle = discord.interact(payload, { timeoutMs: 10_000 });
  const callback = await handle.callback;
  await handle.settled();
  return callback;
}

function firstCustomId(message: APIMessage): string {
  const row = message.components?.[0] as { components?: { custom_id?: string }[] } | undefined;
  return row?.components?.[0]?.custom_id ?? "";
}

function tallyOf(request: RecordedRequest): string | undefined {
  const body = request.body as { embeds?: { fields?: { name: string; value: string }[] }[] } | undefined;
  return body?.embeds?.[0]?.fields?.find((field) => field.name === "Tally")?.value;
}

async function pollUntil(started: number, timeoutMs: number, done: () => boolean): Promise<number> {
  for (;;) {
    if (done()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
