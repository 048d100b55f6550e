import { UserError } from "../errors.js";
import type { FactionService } from "../factions/faction-service.js";
import type { ServerFaction } from "../factions/model.js";
import type { Logger } from "../logging/logger.js";
import type { LoreService } from "../lore/lore-service.js";
import type { LoreDraft } from "../lore/model.js";
import { slugify } from "../lore/normalize.js";
import type { JobLoop } from "../scheduler/job-loop.js";
import type { JobStore } from "../scheduler/job-store.js";
import type { Clock } from "../time/clock.js";
import { BallotBatcher } from "./ballot-batcher.js";
import { type Choice, decideOutcome, type Outcome, type Rule, type Threshold } from "./outcome.js";
import { TallyCoalescer } from "./tally-coalescer.js";
import type { BallotTally, Treaty, TreatyStatus, TreatyStore } from "./treaty-store.js";

export const MIN_WINDOW_MS = 10 * 60_000;
export const MAX_WINDOW_MS = 14 * 24 * 3_600_000;
export const DEFAULT_WINDOW_MS = 48 * 3_600_000;
export const TITLE_MAX = 100;
export const TERMS_MAX = 3000;
export const MAX_PARTIES = 4;
export const CLOSE_JOB = "treaty-close";

export const STANDINGS = ["allied", "non-aggression", "trade-partners", "ceasefire"] as const;
export type TreatyStanding = (typeof STANDINGS)[number];
export const STANDING_TEXT: Record<TreatyStanding, string> = {
  allied: "Allied",
  "non-aggression": "Non-aggression pact",
  "trade-partners": "Trade partners",
  ceasefire: "Ceasefire",
};

export interface ProposalInput {
  title: string;
  terms: string;
  parties: readonly ServerFaction[];
  windowMs: number;
  quorum: number;
  rule: Rule;
  threshold: Threshold;
  standing: TreatyStanding | null;
}

/** A treaty with everything needed to draw it: party names, the tally from the database, the outcome so far. */
export interface TreatyView {
  treaty: Treaty;
  parties: { id: string; name: string }[];
  tally: BallotTally;
  outcome: Outcome;
}

interface BallotRequest {
  guildId: string;
  treatyId: string;
  userId: string;
  choice: Choice;
}

/** A stored ballot: the treaty it was cast on (as read for the batch) and the member's choice before it. */
export interface CastBallot {
  treaty: Treaty;
  previous: Choice | null;
}

/** What the treaty rules need from Discord: posting the proposal, keeping its tally current, the result. */
export interface TreatyPublisher {
  proposal(view: TreatyView): Promise<{ channelId: string; messageId: string } | null>;
  tally(view: TreatyView): Promise<void>;
  result(view: TreatyView): Promise<{ resultMessageId: string | null }>;
}

/** "48h", "2d", "90m", "1d 12h", "1w": a voting window as members type it. */
export function parseWindow(text: string): number {
  const clean = text.trim().toLowerCase();
  const units: Record<string, number> = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
  const parts = [...clean.matchAll(/(\d+(?:\.\d+)?)\s*(min|m|h|d|w)/g)];
  const leftover = clean.replace(/(\d+(?:\.\d+)?)\s*(min|m|h|d|w)/g, "").replace(/[\s,]+|and/g, "");
  if (parts.length === 0 || leftover !== "")
    throw new UserError("bad-window", "Give the voting window like `48h`, `3d`, `90m` or `1d 12h`.");
  const ms = parts.reduce((sum, [, value, unit]) => sum + Number(value) * (units[unit as string] ?? 0), 0);
  if (ms < MIN_WINDOW_MS || ms > MAX_WINDOW_MS)
    throw new UserError("bad-window", "A vote stays open between 10 minutes and 14 days.");
  return Math.round(ms);
}

/** Treaties: proposals, ballots, closing once (by deadline, early settlement, admin or withdrawal), lore. */
export class TreatyService {
  readonly coalescer: TallyCoalescer;
  private publisher: TreatyPublisher | null = null;

  constructor(
    private readonly store: TreatyStore,
    private readonly jobs: JobStore,
    private readonly factions: FactionService,
    private readonly lore: LoreService,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly loop: JobLoop | null = null,
  ) {
    this.coalescer = new TallyCoalescer((key) => this.flushTally(key));
  }

  /** Discord wiring arrives after construction (the client exists only in the running bot). */
  usePublisher(publisher: TreatyPublisher): void {
    this.publisher = publisher;
  }

  validateTexts(title: string, terms: string): { title: string; terms: string } {
    const clean = (text: string) =>
      text
        .normalize("NFC")
        .replace(/[\p{Cf}\p{Zl}\p{Zp}]/gu, "")
        .replace(/\r\n?/g, "\n")
        .trim();
    const t = clean(title).replace(/\s+/g, " ");
    const body = clean(terms);
    if (t.length < 3) throw new UserError("bad-title", "Give the treaty a title of at least 3 characters.");
    if (t.length > TITLE_MAX)
      throw new UserError("bad-title", `The title can have at most ${TITLE_MAX} characters (it has ${t.length}).`);
    if (body.length < 10) throw new UserError("bad-terms", "Write the terms: at least 10 characters.");
    if (body.length > TERMS_MAX)
      throw new UserError(
        "bad-terms",
        `The terms can have at most ${TERMS_MAX} characters (they have ${body.length}).`,
      );
    return { title: t, terms: body };
  }

  validateOptions(input: Pick<ProposalInput, "parties" | "rule" | "quorum">): void {
    const ids = input.parties.map((p) => p.slug);
    if (new Set(ids).size !== ids.length) throw new UserError("bad-parties", "Each party can be named only once.");
    if (input.parties.length > MAX_PARTIES)
      throw new UserError("bad-parties", `A treaty can have at most ${MAX_PARTIES} parties.`);
    for (const party of input.parties)
      if (party.archivedAt) throw new UserError("bad-parties", `${party.name} is archived.`);
    if (input.rule === "each-party" && input.parties.length < 2)
      throw new UserError("bad-parties", "With the each-party rule, name at least two parties: each one must ratify.");
    if (!Number.isInteger(input.quorum) || input.quorum < 1 || input.quorum > 1000)
      throw new UserError("bad-quorum", "The quorum is a number of ballots between 1 and 1000.");
  }

  async propose(guildId: string, proposerId: string, channelId: string, input: ProposalInput): Promise<TreatyView> {
    this.validateOptions(input);
    const { title, terms } = this.validateTexts(input.title, input.terms);
    const parties: string[] = [];
    for (const party of input.parties) parties.push((await this.factions.materialize(party)).id as string);
    const now = this.clock.now();
    const treaty = await this.store.create({
      guildId,
      title,
      terms,
      proposerId,
      parties,
      rule: input.rule,
      threshold: input.threshold,
      quorum: input.quorum,
      standing: input.standing,
      opensAt: now,
      closesAt: new Date(now.getTime() + input.windowMs),
      channelId,
    });
    await this.jobs.schedule({
      key: closeKey(treaty.id),
      kind: CLOSE_JOB,
      guildId,
      payload: { treatyId: treaty.id },
      dueAt: treaty.closesAt,
    });
    void this.loop?.poke();
    const view = await this.view(treaty);
    const posted = await this.publisher?.proposal(view).catch((error: unknown) => {
      this.log.warn({ err: error, treaty: treaty.id }, "could not post a treaty proposal");
      return null;
    });
    if (posted) {
      await this.store.update(guildId, treaty.id, posted);
      return { ...view, treaty: { ...view.treaty, ...posted } };
    }
    return view;
  }

  createDraft(guildId: string, userId: string, channelId: string, options: Record<string, unknown>): Promise<string> {
    return this.store.createDraft(guildId, userId, channelId, options);
  }

  draft(guildId: string, id: string) {
    return this.store.draft(guildId, id);
  }

  /**
   * The form came back: the options saved when it opened plus the typed title and terms. The draft is kept
   * until the proposal succeeds, so a refused submit can be corrected and sent again.
   */
  async proposeFromDraft(
    guildId: string,
    userId: string,
    draftId: string,
    draft: { channelId: string; options: Record<string, unknown> },
    texts: { title: string; terms: string },
  ): Promise<TreatyView> {
    const o = draft.options as {
      parties: string[];
      windowMs: number;
      quorum: number;
      rule: Rule;
      threshold: Threshold;
      standing: TreatyStanding | null;
    };
    const parties: ServerFaction[] = [];
    for (const slug of o.parties) {
      const entry = this.lore.bySlug(slug, guildId);
      const faction = entry && (await this.factions.forEntry(guildId, entry));
      if (!faction)
        throw new UserError("bad-parties", "A party of this treaty no longer exists. Run `/treaty propose` again.");
      parties.push(faction);
    }
    const view = await this.propose(guildId, userId, draft.channelId, { ...o, parties, ...texts });
    await this.store.deleteDraft(draftId);
    await this.store.pruneDrafts(new Date(this.clock.now().getTime() - 86_400_000));
    return view;
  }

  async attachMessage(guildId: string, treatyId: string, channelId: string, messageId: string): Promise<void> {
    await this.store.update(guildId, treatyId, { channelId, messageId });
  }

  async byNumber(guildId: string, number: number): Promise<Treaty> {
    const treaty = await this.store.byNumber(guildId, number);
    if (!treaty) throw new UserError("unknown-treaty", `This server has no Treaty #${number}.`);
    return treaty;
  }

  async byId(guildId: string, id: string): Promise<Treaty | undefined> {
    return this.store.byId(guildId, id);
  }

  /**
   * Casts or changes a ballot. Clicks that arrive together are stored together (`BallotBatcher`); each click still
   * gets its own answer. Whether the ballots settled the vote is judged by the coalesced tally refresh a moment
   * later (one look per treaty however many clicks arrive), which then closes it early.
   */
  vote(guildId: string, treatyId: string, userId: string, choice: Choice): Promise<CastBallot> {
    return this.ballots.submit({ guildId, treatyId, userId, choice });
  }

  private readonly ballots = new BallotBatcher<BallotRequest, CastBallot>((batch) => this.castBatch(batch));

  private async castBatch(batch: readonly BallotRequest[]): Promise<(CastBallot | Error)[]> {
    const results: (CastBallot | Error)[] = [];
    const byTreaty = new Map<string, number[]>();
    batch.forEach((request, i) => {
      const key = treatyKey(request.guildId, request.treatyId);
      const indexes = byTreaty.get(key);
      if (indexes) indexes.push(i);
      else byTreaty.set(key, [i]);
    });
    for (const indexes of byTreaty.values()) {
      const requests = indexes.map((i) => batch[i] as BallotRequest);
      let answers: (CastBallot | Error)[];
      try {
        answers = await this.castOnTreaty(requests);
      } catch (error) {
        // One treaty's failure (a database error) is that treaty's clicks' answer, not the whole batch's.
        answers = requests.map(() => (error instanceof Error ? error : new Error(String(error))));
      }
      indexes.forEach((i, k) => {
        results[i] = answers[k] as CastBallot | Error;
      });
    }
    return results;
  }

  /** Ballots of one treaty, in the order clicked: one read of the treaty, the voters and their earlier ballots. */
  private async castOnTreaty(requests: readonly BallotRequest[]): Promise<(CastBallot | Error)[]> {
    const { guildId, treatyId } = requests[0] as BallotRequest;
    const treaty = await this.store.byId(guildId, treatyId);
    if (!treaty)
      return requests.map(() => new UserError("unknown-treaty", "This treaty no longer exists on this server."));
    if (treaty.status !== "open" || treaty.closesAt <= this.clock.now()) {
      const closed = this.closedError(treaty);
      return requests.map(() => closed);
    }
    const refused = await this.refusals(
      guildId,
      treaty,
      requests.map((r) => r.userId),
    );
    const allowed = requests.filter((r) => !refused.has(r.userId));
    const before = await this.store.ballotsOf(
      treaty.id,
      allowed.map((r) => r.userId),
    );
    const landed = await this.store.castMany(treaty.id, guildId, allowed, this.clock.now());
    if (landed.some(Boolean)) this.coalescer.touch(treatyKey(guildId, treaty.id));
    // Not landed: the treaty closed between the read above and the write (the statement checks).
    const closed = landed.every(Boolean)
      ? undefined
      : this.closedError((await this.store.byId(guildId, treaty.id)) ?? treaty);
    const current = new Map(before);
    let next = 0;
    return requests.map((request) => {
      const refusal = refused.get(request.userId);
      if (refusal) return refusal;
      if (!landed[next++]) return closed as UserError;
      const previous = current.get(request.userId) ?? null;
      current.set(request.userId, request.choice);
      return { treaty, previous };
    });
  }

  ballotOf(treaty: Treaty, userId: string): Promise<Choice | null> {
    return this.store.ballotOf(treaty.id, userId);
  }

  private closedError(treaty: Treaty): UserError {
    if (treaty.status === "withdrawn")
      return new UserError("withdrawn", `Treaty #${treaty.number} was withdrawn; there is nothing to vote on.`);
    const result = treaty.summary ? ` Result: ${treaty.status} — ${treaty.summary}` : "";
    return new UserError(
      "closed",
      `The vote on Treaty #${treaty.number} has closed; your click changed nothing.${result}`,
    );
  }

  /** Why each of these members may not vote on the treaty; members who may are not in the map. */
  private async refusals(guildId: string, treaty: Treaty, userIds: readonly string[]): Promise<Map<string, UserError>> {
    const refused = new Map<string, UserError>();
    if (treaty.parties.length === 0 && (await this.factions.settings(guildId)).treatyVoters === "anyone")
      return refused;
    const memberships = await this.factions.membershipsOfMany(guildId, userIds);
    if (treaty.parties.length > 0) {
      const outside = userIds.filter((id) => !memberships.get(id)?.some((m) => treaty.parties.includes(m.factionId)));
      if (outside.length === 0) return refused;
      const names = (await this.partyNames(guildId, treaty)).map((p) => p.name).join(", ");
      const error = new UserError(
        "not-eligible",
        `Only members of the parties (${names}) vote on Treaty #${treaty.number}.`,
      );
      for (const id of outside) refused.set(id, error);
      return refused;
    }
    const error = new UserError(
      "not-eligible",
      "Only members of a faction vote on treaties here. Join one with `/faction join`.",
    );
    for (const id of userIds) if (!memberships.has(id)) refused.set(id, error);
    return refused;
  }

  /**
   * Closes once, whoever asks first (deadline job, early settlement, admin). The close is claimed before the tally
   * is read, and no ballot lands after the claim, so the result always matches the ballots in the database. A
   * close interrupted by a crash ("closing") is completed by the deadline job.
   */
  async close(
    guildId: string,
    treatyId: string,
    reason: "deadline" | "settled" | "admin",
    closedBy: string | null,
    options: { fromFlush?: boolean } = {},
  ): Promise<TreatyView | null> {
    const treaty = await this.store.byId(guildId, treatyId);
    if (!treaty) return null;
    if (treaty.status === "open") {
      if (!(await this.store.beginClose(guildId, treatyId, reason, closedBy, this.clock.now()))) return null;
    } else if (treaty.status !== "closing") {
      if (reason === "deadline" && !treaty.resultMessageId) await this.finishInterruptedClose(treaty);
      return null;
    } else if (reason !== "deadline") return null;
    // A flush that decided to close must not wait for itself.
    if (!options.fromFlush) await this.coalescer.cancel(treatyKey(guildId, treatyId));
    const closing = (await this.store.byId(guildId, treatyId)) as Treaty;
    const view = await this.view(closing);
    const status = view.outcome.status;
    await this.store.finishClose(guildId, treatyId, { status, summary: view.outcome.summary });
    const closed = (await this.store.byId(guildId, treatyId)) as Treaty;
    if (status === "ratified") await this.becomeLore(closed, view);
    const final = { ...view, treaty: (await this.store.byId(guildId, treatyId)) as Treaty };
    await this.report(final);
    // Last: until here, the deadline job stays queued to finish a close that a crash interrupted.
    if (reason !== "deadline") await this.jobs.cancel(closeKey(treatyId));
    this.log.info({ guildId, treaty: closed.number, status, reason }, "treaty vote closed");
    return final;
  }

  /** The deadline job. Runs at most once per treaty; an already closed treaty makes it a no-op. */
  async closeByDeadline(guildId: string, treatyId: string): Promise<void> {
    await this.close(guildId, treatyId, "deadline", null);
  }

  async withdraw(guildId: string, treaty: Treaty, actorId: string, isAdmin: boolean): Promise<TreatyView> {
    if (treaty.proposerId !== actorId && !isAdmin)
      throw new UserError(
        "not-allowed",
        `Only the proposer (<@${treaty.proposerId}>) or an admin can withdraw Treaty #${treaty.number}.`,
      );
    if (treaty.status !== "open")
      throw new UserError("closed", `Treaty #${treaty.number} is already ${treaty.status}.`);
    if (!(await this.store.beginClose(guildId, treaty.id, "withdrawn", actorId, this.clock.now())))
      throw new UserError("closed", `Treaty #${treaty.number} closed a moment ago.`);
    await this.coalescer.cancel(treatyKey(guildId, treaty.id));
    await this.store.finishClose(guildId, treaty.id, { status: "withdrawn", summary: `Withdrawn by <@${actorId}>.` });
    const view = await this.view((await this.store.byId(guildId, treaty.id)) as Treaty);
    const final = { ...view, treaty: (await this.store.byId(guildId, treaty.id)) as Treaty };
    await this.report(final);
    await this.jobs.cancel(closeKey(treaty.id));
    return final;
  }

  openTreaties(guildId: string): Promise<Treaty[]> {
    return this.store.openTreaties(guildId);
  }

  decidedSince(guildId: string, since: Date | null): Promise<Treaty[]> {
    return this.store.decidedSince(guildId, since);
  }

  async list(guildId: string, status: TreatyStatus | null, page: number, size: number) {
    return this.store.list(guildId, status, { offset: page * size, limit: size });
  }

  async view(treaty: Treaty): Promise<TreatyView> {
    const [tally, settings, parties] = await Promise.all([
      this.store.tally(treaty),
      this.factions.settings(treaty.guildId),
      this.partyNames(treaty.guildId, treaty),
    ]);
    const electorate = await this.store.electorate(treaty, settings.treatyVoters === "anyone");
    const outcome = decideOutcome(
      { rule: treaty.rule, threshold: treaty.threshold, quorum: treaty.quorum },
      { ...tally.overall, eligible: electorate.overall },
      parties.map((p) => ({
        factionId: p.id,
        name: p.name,
        ...(tally.byParty.get(p.id) ?? { aye: 0, nay: 0, abstain: 0 }),
        eligible: electorate.byParty.get(p.id) ?? 0,
      })),
    );
    return { treaty, parties, tally, outcome };
  }

  /** Ratified treaties with a standing that name this faction: "Allied with X (Treaty #3)". */
  async standingsOf(guildId: string, factionId: string): Promise<{ text: string; treaty: Treaty }[]> {
    const treaties = (await this.store.ratifiedWithStanding(guildId)).filter((t) => t.parties.includes(factionId));
    const out: { text: string; treaty: Treaty }[] = [];
    for (const treaty of treaties) {
      const others = (await this.partyNames(guildId, treaty)).filter((p) => p.id !== factionId).map((p) => p.name);
      const standing = STANDING_TEXT[treaty.standing as TreatyStanding] ?? treaty.standing;
      out.push({
        text: `${standing} with ${others.join(", ") || "the other parties"} (Treaty #${treaty.number})`,
        treaty,
      });
    }
    return out;
  }

  private async partyNames(guildId: string, treaty: Treaty): Promise<{ id: string; name: string }[]> {
    const out: { id: string; name: string }[] = [];
    for (const id of treaty.parties)
      out.push({ id, name: (await this.factions.byId(guildId, id))?.name ?? "a removed faction" });
    return out;
  }

  /** The coalesced look after ballots: closes a settled vote early, else shows the current tally. */
  private async flushTally(key: string): Promise<void> {
    const [guildId = "", treatyId = ""] = key.split(":");
    const treaty = await this.store.byId(guildId, treatyId);
    if (treaty?.status !== "open") return;
    const view = await this.view(treaty);
    if (view.outcome.settled) {
      await this.close(guildId, treatyId, "settled", null, { fromFlush: true });
      return;
    }
    if (!this.publisher) return;
    await this.publisher.tally(view).catch((error: unknown) => {
      this.log.warn({ err: error, treaty: treaty.id }, "could not update a treaty's tally");
    });
  }

  /** Final message edit and result post. A deleted message or channel does not stop the close. */
  /**
   * A treaty decided by a process that died before posting the result (or, ratified, before it became lore): the
   * deadline job finishes the work. The result post is made once, so a post that did reach Discord is not repeated.
   */
  private async finishInterruptedClose(treaty: Treaty): Promise<void> {
    const view = await this.view(treaty);
    if (treaty.status === "ratified" && !treaty.loreEntryId) await this.becomeLore(treaty, view);
    this.log.info({ guildId: treaty.guildId, treaty: treaty.number }, "finishing a treaty close a crash interrupted");
    await this.report({ ...view, treaty: (await this.store.byId(treaty.guildId, treaty.id)) as Treaty });
  }

  private async report(view: TreatyView): Promise<void> {
    if (!this.publisher) return;
    try {
      const { resultMessageId } = await this.publisher.result(view);
      if (resultMessageId) await this.store.update(view.treaty.guildId, view.treaty.id, { resultMessageId });
    } catch (error) {
      this.log.warn({ err: error, treaty: view.treaty.id }, "could not report a treaty's result");
    }
  }

  /** A ratified treaty becomes part of the server's lore: /lore finds it, its parties' cards list it. */
  private async becomeLore(treaty: Treaty, view: TreatyView): Promise<void> {
    const partySlugs: string[] = [];
    for (const id of treaty.parties) {
      const faction = await this.factions.byId(treaty.guildId, id);
      if (faction) partySlugs.push(faction.slug);
    }
    const date = (treaty.closedAt ?? this.clock.now()).toISOString().slice(0, 10);
    const draft: LoreDraft = {
      slug: `treaty-${treaty.number}-${slugify(treaty.title)}`.slice(0, 90).replace(/-+$/, ""),
      kind: "treaty",
      name: treaty.title,
      aliases: [`Treaty #${treaty.number}`, `Treaty ${treaty.number}`],
      tags: ["server-treaty"],
      quadrants: [],
      standing: null,
      summary: `Ratified on ${date}: ${view.outcome.summary}`.slice(0, 400),
      body: treaty.terms,
      details: {
        relations: [],
        events: [{ year: date, text: `Ratified (Treaty #${treaty.number}): ${view.outcome.summary}`.slice(0, 200) }],
        parties: partySlugs,
        signed: date,
        ...(treaty.standing
          ? { standingNote: STANDING_TEXT[treaty.standing as TreatyStanding] ?? treaty.standing }
          : {}),
      },
      sources: [],
      sourceFile: null,
    };
    const entry = await this.lore.saveServerEntry(treaty.guildId, draft);
    await this.store.update(treaty.guildId, treaty.id, { loreEntryId: entry.id });
  }
}

export function closeKey(treatyId: string): string {
  return `${CLOSE_JOB}:${treatyId}`;
}

function treatyKey(guildId: string, treatyId: string): string {
  return `${guildId}:${treatyId}`;
}
