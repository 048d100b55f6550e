import { type APIEmbed, escapeMarkdown } from "discord.js";
import type { Agenda } from "../../council/council-service.js";
import type { CouncilSchedule, Occurrence } from "../../council/council-store.js";
import { neutralizeMentions, truncate } from "../text.js";
import { at } from "./faction-embeds.js";

const COUNCIL_COLOUR = 0x1f6feb;
const plain = (text: string) => neutralizeMentions(escapeMarkdown(text));

function bullets(lines: readonly string[], empty: string, max = 1024): string {
  if (lines.length === 0) return empty;
  let out = "";
  for (const [i, line] of lines.entries()) {
    const next = `${out}${out ? "\n" : ""}• ${line}`;
    if (next.length > max - 20) return `${out}\n…and ${lines.length - i} more`;
    out = next;
  }
  return out;
}

/** "The Khitomer Council convenes": the session as a Discord timestamp (each member sees local time), the agenda. */
export function sessionEmbed(
  schedule: CouncilSchedule,
  session: { at: Date; late: boolean },
  agenda: Agenda,
): APIEmbed {
  const changes = agenda.factionChanges;
  const changeLines = [
    ...(changes.created.length ? [`New factions: ${changes.created.map(plain).join(", ")}`] : []),
    ...(changes.archived.length ? [`Archived: ${changes.archived.map(plain).join(", ")}`] : []),
    ...(changes.joined + changes.left + changes.moved > 0
      ? [`Membership: ${changes.joined} joined, ${changes.left} left, ${changes.moved} moved`]
      : []),
  ];
  return {
    title: "The Khitomer Council convenes",
    description: [
      `Session: ${at(session.at, "F")} (${at(session.at, "R")})`,
      session.late ? "⚠️ Posted late: the council's herald was away when this session began." : "",
    ]
      .filter(Boolean)
      .join("\n"),
    color: COUNCIL_COLOUR,
    fields: [
      {
        name: "Treaties open for votes",
        value: bullets(
          agenda.openTreaties.map(
            (t) =>
              `**#${t.number}** ${plain(truncate(t.title, 80))} — closes ${at(t.closesAt, "R")}${t.beforeSession ? " (before this session)" : ""}`,
          ),
          "None.",
        ),
        inline: false,
      },
      {
        name: agenda.since ? "Decided since the last session" : "Decided so far",
        value: bullets(
          agenda.decided.map(
            (t) =>
              `**#${t.number}** ${plain(truncate(t.title, 60))} — ${t.status}${t.summary ? `: ${neutralizeMentions(truncate(t.summary, 120))}` : ""}`,
          ),
          "Nothing.",
        ),
        inline: false,
      },
      { name: "Faction changes", value: bullets(changeLines, "None."), inline: false },
      {
        name: "Notes from the council",
        value: bullets(
          agenda.notes.map((n) => `${neutralizeMentions(n.text)} (<@${n.authorId}>)`),
          "None.",
        ),
        inline: false,
      },
    ],
    footer: { text: `Sessions ${schedule.label} (${schedule.timeZone})` },
  };
}

export function reminderText(sessionAt: Date): string {
  return `Reminder: the Khitomer Council convenes ${at(sessionAt, "R")} (${at(sessionAt, "F")}).`;
}

const OCCURRENCE_TEXT: Record<Occurrence["status"], string> = {
  claimed: "being posted",
  posted: "posted",
  missed: "missed",
  skipped: "skipped",
  failed: "failed",
};

export function statusEmbed(schedule: CouncilSchedule, recent: readonly Occurrence[], next: Date | null): APIEmbed {
  const lines = recent.map(
    (o) =>
      `${at(o.scheduledFor)} ${o.kind === "reminder" ? "reminder" : o.kind === "now" ? "convened by hand" : "session"}: **${OCCURRENCE_TEXT[o.status]}**${o.late ? " (late)" : ""}${o.note ? ` — ${o.note}` : ""}`,
  );
  return {
    title: "Council schedule",
    color: schedule.status === "active" ? COUNCIL_COLOUR : 0xe67e22,
    fields: [
      { name: "When", value: `${schedule.label} (${schedule.timeZone})`, inline: true },
      { name: "Where", value: `<#${schedule.channelId}>`, inline: true },
      {
        name: "State",
        value: `${schedule.status}${schedule.disabledReason ? `: ${schedule.disabledReason}` : ""}${schedule.skipAt ? `\nSkipping ${at(schedule.skipAt)}` : ""}`,
        inline: false,
      },
      {
        name: "Next session",
        value: next ? `${at(next, "F")} (${at(next, "R")})` : "none while not active",
        inline: true,
      },
      {
        name: "Options",
        value: [
          schedule.mentionRoleId ? `mentions <@&${schedule.mentionRoleId}>` : "mentions nobody",
          schedule.reminderMinutes ? `reminder ${schedule.reminderMinutes} min before` : "no reminder",
          `grace ${schedule.graceMinutes} min`,
          schedule.createEvents ? "Discord events on" : "Discord events off",
        ].join(" · "),
        inline: false,
      },
      { name: "Recent runs", value: bullets(lines, "None yet."), inline: false },
    ],
  };
}
