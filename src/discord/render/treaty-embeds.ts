import { ActionRowBuilder, type APIEmbed, ButtonBuilder, ButtonStyle, escapeMarkdown } from "discord.js";
import type { Count } from "../../treaties/outcome.js";
import type { TreatyView } from "../../treaties/treaty-service.js";
import { STANDING_TEXT, type TreatyStanding } from "../../treaties/treaty-service.js";
import { neutralizeMentions, truncate } from "../text.js";
import { at } from "./faction-embeds.js";

export const VOTE_PREFIX = "treaty-vote";

const COLOURS = {
  open: 0xc9a227,
  closing: 0xc9a227,
  ratified: 0x2ecc71,
  rejected: 0xe74c3c,
  withdrawn: 0x95a5a6,
} as const;
const STATUS_TEXT = {
  open: "Voting",
  closing: "Closing",
  ratified: "Ratified",
  rejected: "Rejected",
  withdrawn: "Withdrawn",
} as const;

const countText = (c: Count) => `Aye ${c.aye} · Nay ${c.nay} · Abstain ${c.abstain}`;

/** The proposal as posted: terms as the proposer wrote them (markdown kept, mentions inert), tally, rules, deadline. */
export function treatyEmbed(view: TreatyView): APIEmbed {
  const { treaty, tally, outcome, parties } = view;
  const rule =
    treaty.rule === "each-party"
      ? `Each party ratifies by its own members' ${treaty.threshold === "two-thirds" ? "two-thirds" : "majority"}; quorum ${treaty.quorum} per party`
      : `${treaty.threshold === "two-thirds" ? "Two-thirds" : "Majority"} of ballots cast; quorum ${treaty.quorum}`;
  const tallyLines = [countText(tally.overall)];
  if (treaty.rule === "each-party")
    for (const party of parties)
      tallyLines.push(
        `${escapeMarkdown(party.name)}: ${countText(tally.byParty.get(party.id) ?? { aye: 0, nay: 0, abstain: 0 })}`,
      );
  const fields = [
    {
      name: "Parties",
      value: parties.length > 0 ? parties.map((p) => escapeMarkdown(p.name)).join(" · ") : "Any faction's members",
      inline: false,
    },
    { name: "Rule", value: `${rule}. Abstentions count for quorum only.`, inline: false },
    { name: "Tally", value: tallyLines.join("\n"), inline: false },
    treaty.status === "open"
      ? { name: "Voting closes", value: `${at(treaty.closesAt, "R")} (${at(treaty.closesAt)})`, inline: true }
      : {
          name: STATUS_TEXT[treaty.status],
          value: `${neutralizeMentions(treaty.summary ?? outcome.summary)}${treaty.closedAt ? `\n${at(treaty.closedAt)}` : ""}`,
          inline: false,
        },
    { name: "Proposed by", value: `<@${treaty.proposerId}>`, inline: true },
  ];
  if (treaty.standing)
    fields.push({
      name: "If ratified",
      value: STANDING_TEXT[treaty.standing as TreatyStanding] ?? treaty.standing,
      inline: true,
    });
  return {
    title: truncate(`Treaty #${treaty.number}: ${escapeMarkdown(treaty.title)}`, 256),
    description: truncate(neutralizeMentions(treaty.terms), 4000),
    color: COLOURS[treaty.status],
    fields,
    footer: {
      text:
        treaty.status === "open"
          ? "One ballot per member; you can change it until the vote closes."
          : `Treaty #${treaty.number} · ${STATUS_TEXT[treaty.status]}`,
    },
  };
}

export function voteButtons(view: TreatyView) {
  const closed = view.treaty.status !== "open";
  const id = (choice: string) => `${VOTE_PREFIX}:${view.treaty.id}:${choice}`;
  return [
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId(id("aye")).setLabel("Aye").setStyle(ButtonStyle.Success).setDisabled(closed),
      new ButtonBuilder().setCustomId(id("nay")).setLabel("Nay").setStyle(ButtonStyle.Danger).setDisabled(closed),
      new ButtonBuilder()
        .setCustomId(id("abstain"))
        .setLabel("Abstain")
        .setStyle(ButtonStyle.Secondary)
        .setDisabled(closed),
    ),
  ];
}

export function resultText(view: TreatyView): string {
  const { treaty } = view;
  const title = escapeMarkdown(treaty.title);
  if (treaty.status === "withdrawn") return `**Treaty #${treaty.number}: ${title}** was withdrawn.`;
  return `**Treaty #${treaty.number}: ${title}** is **${treaty.status}**. ${neutralizeMentions(treaty.summary ?? view.outcome.summary)}`;
}
