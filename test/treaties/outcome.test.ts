import { describe, expect, it } from "vitest";
import { type Count, decideOutcome, type PartyTally, passes, type VoteSpec } from "../../src/treaties/outcome.js";

const count = (aye: number, nay: number, abstain = 0, eligible: number | null = null) => ({
  aye,
  nay,
  abstain,
  eligible,
});
const party = (name: string, c: Count & { eligible: number | null }): PartyTally => ({
  factionId: name.toLowerCase(),
  name,
  ...c,
});
const majority = (quorum: number, threshold: VoteSpec["threshold"] = "majority"): VoteSpec => ({
  rule: "majority",
  threshold,
  quorum,
});
const eachParty = (quorum: number, threshold: VoteSpec["threshold"] = "majority"): VoteSpec => ({
  rule: "each-party",
  threshold,
  quorum,
});

describe("passes", () => {
  it.each([
    [3, 2, "majority", true],
    [2, 2, "majority", false],
    [0, 0, "majority", false],
    [2, 1, "two-thirds", true],
    [3, 2, "two-thirds", false],
    [0, 0, "two-thirds", false],
  ] as const)("%i aye, %i nay under %s → %s", (aye, nay, threshold, expected) => {
    expect(passes({ aye, nay }, threshold)).toBe(expected);
  });
});

describe("decideOutcome, majority rule", () => {
  it.each([
    { name: "more ayes, quorum met", spec: majority(3), c: count(3, 1), status: "ratified", summary: "Ratified 3-1." },
    { name: "a tie", spec: majority(2), c: count(2, 2), status: "rejected", summary: "Rejected 2-2." },
    {
      name: "abstentions reach quorum but do not vote",
      spec: majority(5),
      c: count(2, 1, 2),
      status: "ratified",
      summary: "Ratified 2-1 (2 abstained).",
    },
    {
      name: "quorum not met",
      spec: majority(5),
      c: count(3, 0),
      status: "rejected",
      summary: "Failed quorum: 3/5 ballots.",
    },
    {
      name: "only abstentions",
      spec: majority(1),
      c: count(0, 0, 3),
      status: "rejected",
      summary: "Rejected 0-0 (3 abstained).",
    },
    {
      name: "two-thirds reached",
      spec: majority(3, "two-thirds"),
      c: count(4, 2),
      status: "ratified",
      summary: "Ratified 4-2 (two-thirds needed).",
    },
    {
      name: "two-thirds missed",
      spec: majority(3, "two-thirds"),
      c: count(5, 3),
      status: "rejected",
      summary: "Rejected 5-3 (two-thirds needed).",
    },
  ])("$name", ({ spec, c, status, summary }) => {
    expect(decideOutcome(spec, c, [])).toMatchObject({ status, summary });
  });

  it("is settled early only when the voters still to come cannot change it", () => {
    expect(decideOutcome(majority(3), count(6, 1, 0, 10), []).settled).toBe(true);
    expect(decideOutcome(majority(3), count(4, 1, 0, 10), []).settled).toBe(false);
    expect(decideOutcome(majority(3), count(2, 1, 0, 3), []).settled).toBe(true);
    expect(decideOutcome(majority(3), count(9, 0), []).settled).toBe(false);
  });

  it("is not settled while quorum could still be reached or missed", () => {
    expect(decideOutcome(majority(8), count(5, 0, 0, 10), []).settled).toBe(false);
  });
});

describe("decideOutcome, each party must ratify", () => {
  it("explains itself party by party", () => {
    const outcome = decideOutcome(eachParty(5), count(9, 4), [
      party("Klingon Empire", count(7, 2)),
      party("Federation", count(2, 0)),
    ]);
    expect(outcome.status).toBe("rejected");
    expect(outcome.summary).toBe("Klingon Empire ratified 7-2; Federation failed quorum 2/5.");
  });

  it("is ratified when every party ratifies", () => {
    const outcome = decideOutcome(eachParty(2), count(8, 2), [
      party("Klingon Empire", count(4, 1)),
      party("Federation", count(4, 1)),
    ]);
    expect(outcome).toMatchObject({
      status: "ratified",
      summary: "Klingon Empire ratified 4-1; Federation ratified 4-1.",
    });
  });

  it("one party's fixed rejection settles it early, even while others vote", () => {
    const outcome = decideOutcome(eachParty(2), count(1, 5), [
      party("Klingon Empire", count(0, 5, 0, 6)),
      party("Federation", count(1, 0, 0, 20)),
    ]);
    expect(outcome).toMatchObject({ status: "rejected", settled: true });
  });

  it("with no parties named, nothing can be ratified", () => {
    expect(decideOutcome(eachParty(1), count(3, 0), [])).toMatchObject({
      status: "rejected",
      summary: "No party to ratify.",
    });
  });
});
