// How a treaty vote ends, as a pure function: the same ballots always give the same result and explanation.
// Abstentions count toward quorum but not toward the majority. Ballots already cast count as they stand when
// judging whether the outcome can still change (members may change theirs until the close).

export const RULES = ["majority", "each-party"] as const;
export type Rule = (typeof RULES)[number];
export const THRESHOLDS = ["majority", "two-thirds"] as const;
export type Threshold = (typeof THRESHOLDS)[number];
export const CHOICES = ["aye", "nay", "abstain"] as const;
export type Choice = (typeof CHOICES)[number];

export interface Count {
  aye: number;
  nay: number;
  abstain: number;
}

export interface PartyTally extends Count {
  factionId: string;
  name: string;
  /** Members who may vote for this party; null when unknown (then the vote can never close early). */
  eligible: number | null;
}

export interface VoteSpec {
  rule: Rule;
  threshold: Threshold;
  /** Ballots (abstentions included) needed: overall for majority, per party for each-party. */
  quorum: number;
}

export interface PartyVerdict extends PartyTally {
  quorumMet: boolean;
  passed: boolean;
  text: string;
}

export interface Outcome {
  status: "ratified" | "rejected";
  /** True when no ballot still to come could change the status. */
  settled: boolean;
  summary: string;
  parties: PartyVerdict[];
}

/** Aye wins under the threshold: more ayes than nays, or at least two thirds of ayes and nays (and one aye). */
export function passes(count: Pick<Count, "aye" | "nay">, threshold: Threshold): boolean {
  if (threshold === "two-thirds") return count.aye > 0 && count.aye * 3 >= (count.aye + count.nay) * 2;
  return count.aye > count.nay;
}

function judge(count: Count, quorum: number, threshold: Threshold): { quorumMet: boolean; passed: boolean } {
  const cast = count.aye + count.nay + count.abstain;
  const quorumMet = cast >= quorum;
  return { quorumMet, passed: quorumMet && passes(count, threshold) };
}

/** Could the remaining voters, voting all one way, change this group's verdict? */
function canChange(count: Count, eligible: number | null, quorum: number, threshold: Threshold): boolean {
  if (eligible === null) return true;
  const remaining = Math.max(0, eligible - (count.aye + count.nay + count.abstain));
  if (remaining === 0) return false;
  const now = judge(count, quorum, threshold).passed;
  const allAye = judge({ ...count, aye: count.aye + remaining }, quorum, threshold).passed;
  const allNay = judge({ ...count, nay: count.nay + remaining }, quorum, threshold).passed;
  const allAbstain = judge({ ...count, abstain: count.abstain + remaining }, quorum, threshold).passed;
  return allAye !== now || allNay !== now || allAbstain !== now;
}

function describeCount(count: Count): string {
  return `${count.aye}-${count.nay}${count.abstain > 0 ? ` (${count.abstain} abstained)` : ""}`;
}

/**
 * Decides a vote. `overall` is every ballot; `parties` the ballots of each party's members (each-party rule).
 * The summary explains itself: "Klingon Empire ratified 7-2; Federation failed quorum 2/5".
 */
export function decideOutcome(
  spec: VoteSpec,
  overall: Count & { eligible: number | null },
  parties: readonly PartyTally[],
): Outcome {
  const thresholdText = spec.threshold === "two-thirds" ? " (two-thirds needed)" : "";
  if (spec.rule === "majority") {
    const verdict = judge(overall, spec.quorum, spec.threshold);
    const cast = overall.aye + overall.nay + overall.abstain;
    const summary = !verdict.quorumMet
      ? `Failed quorum: ${cast}/${spec.quorum} ballots.`
      : `${verdict.passed ? "Ratified" : "Rejected"} ${describeCount(overall)}${thresholdText}.`;
    return {
      status: verdict.passed ? "ratified" : "rejected",
      settled: !canChange(overall, overall.eligible, spec.quorum, spec.threshold),
      summary,
      parties: [],
    };
  }
  const verdicts = parties.map((party): PartyVerdict => {
    const verdict = judge(party, spec.quorum, spec.threshold);
    const cast = party.aye + party.nay + party.abstain;
    const text = !verdict.quorumMet
      ? `${party.name} failed quorum ${cast}/${spec.quorum}`
      : `${party.name} ${verdict.passed ? "ratified" : "rejected"} ${describeCount(party)}`;
    return { ...party, ...verdict, text };
  });
  const ratified = verdicts.length > 0 && verdicts.every((v) => v.passed);
  // Settled when every party's verdict is fixed, or one party's rejection is fixed (that alone decides it).
  const fixed = verdicts.map((v) => !canChange(v, v.eligible, spec.quorum, spec.threshold));
  const settled = fixed.every(Boolean) || verdicts.some((v, i) => fixed[i] && !v.passed);
  const summary =
    verdicts.length === 0 ? "No party to ratify." : `${verdicts.map((v) => v.text).join("; ")}${thresholdText}.`;
  return { status: ratified ? "ratified" : "rejected", settled, summary, parties: verdicts };
}
