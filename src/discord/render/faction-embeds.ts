import { type APIEmbed, type APIEmbedField, escapeMarkdown } from "discord.js";
import type { FactionCard, RoleReport } from "../../factions/faction-service.js";
import {
  type FactionEvent,
  JOIN_POLICY_LABELS,
  JOIN_POLICY_STATES,
  type Membership,
  type ServerFaction,
} from "../../factions/model.js";
import { roleProblemText } from "../../factions/rules.js";
import { neutralizeMentions, truncate } from "../text.js";

const FACTION_COLOUR = 0x5865f2;
const name = (text: string) => neutralizeMentions(escapeMarkdown(text));
export const at = (date: Date, style: "f" | "F" | "D" | "R" = "f") =>
  `<t:${Math.floor(date.getTime() / 1000)}:${style}>`;

export function factionLabel(faction: Pick<ServerFaction, "name" | "emoji">): string {
  return faction.emoji ? `${faction.emoji} ${name(faction.name)}` : name(faction.name);
}

/** The "On this server" part of a faction's card. */
export function serverFields(card: FactionCard): APIEmbedField[] {
  const { faction } = card;
  const lines = [
    `Members: ${card.rosterSize}`,
    `Leaders: ${card.leaders.length > 0 ? card.leaders.map((id) => `<@${id}>`).join(", ") : "none yet"}`,
    `Joining: ${faction.archivedAt ? "archived" : JOIN_POLICY_LABELS[card.policy]}`,
  ];
  if (faction.roleId) lines.push(`Role: <@&${faction.roleId}>`);
  if (faction.archivedAt) lines.push(`Archived ${at(faction.archivedAt, "D")}`);
  const fields: APIEmbedField[] = [{ name: "On this server", value: lines.join("\n"), inline: false }];
  if (faction.notes)
    fields.push({ name: "Server notes", value: truncate(neutralizeMentions(faction.notes), 1024), inline: false });
  return fields;
}

export function rosterEmbed(
  faction: ServerFaction,
  members: readonly Membership[],
  page: number,
  pageCount: number,
  total: number,
): APIEmbed {
  const lines = members.map(
    (m) => `<@${m.userId}>${m.isLeader ? " — **leader**" : ""} · joined ${at(m.joinedAt, "D")}`,
  );
  return {
    title: `Roster: ${factionLabel(faction)}`,
    description: lines.length > 0 ? lines.join("\n") : "Nobody has joined yet.",
    color: faction.color ?? FACTION_COLOUR,
    footer: { text: `Page ${page + 1} of ${Math.max(1, pageCount)} · ${total} member${total === 1 ? "" : "s"}` },
  };
}

export function whoisEmbed(
  userId: string,
  memberships: readonly (Membership & { factionName: string })[],
  history: readonly FactionEvent[],
  names: ReadonlyMap<string, string>,
): APIEmbed {
  const current = memberships.map(
    (m) =>
      `**${name(m.factionName)}**${m.isLeader ? " (leader)" : ""} · joined ${at(m.joinedAt, "D")}${m.departedAt ? ` · away from the server since ${at(m.departedAt, "D")}` : ""}`,
  );
  return {
    title: "Faction record",
    description: `<@${userId}>\n\n${current.length > 0 ? current.join("\n") : "Belongs to no faction on this server."}`,
    color: FACTION_COLOUR,
    fields:
      history.length > 0
        ? [
            {
              name: "History",
              value: truncateLines(
                history.map((e) => eventLine(e, names)),
                1024,
              ),
              inline: false,
            },
          ]
        : [],
  };
}

export function auditEmbed(
  events: readonly FactionEvent[],
  names: ReadonlyMap<string, string>,
  page: number,
  pageCount: number,
  total: number,
): APIEmbed {
  return {
    title: "Faction audit log",
    description:
      events.length > 0
        ? truncateLines(
            events.map((e) => eventLine(e, names)),
            4000,
          )
        : "Nothing has happened yet.",
    color: FACTION_COLOUR,
    footer: { text: `Page ${page + 1} of ${Math.max(1, pageCount)} · ${total} entr${total === 1 ? "y" : "ies"}` },
  };
}

/** One line of history: when, who, what. */
export function eventLine(event: FactionEvent, names: ReadonlyMap<string, string>): string {
  const faction = event.factionId ? `**${name(names.get(event.factionId) ?? "a removed faction")}**` : "";
  const who = event.userId ? `<@${event.userId}>` : "";
  const by = event.actorId && event.actorId !== event.userId ? ` (by <@${event.actorId}>)` : "";
  const detail = event.detail;
  const text = (() => {
    switch (event.action) {
      case "joined":
        return `${who} joined ${faction}`;
      case "left":
        return `${who} left ${faction}`;
      case "requested":
        return `${who} asked to join ${faction}`;
      case "approved":
        return `${who} was admitted to ${faction}`;
      case "denied":
        return `${who} was refused by ${faction}`;
      case "moved":
        return detail.from
          ? `${who} was moved from **${name(String(detail.from))}** to ${faction}`
          : `${who} was placed in ${faction}`;
      case "removed":
        return `${who} was removed from ${faction}`;
      case "leader-added":
        return `${who} became a leader of ${faction}`;
      case "leader-removed":
        return `${who} is no longer a leader of ${faction}`;
      case "departed-server":
        return `${who} left the Discord server (memberships kept)`;
      case "returned-server":
        return `${who} came back to the Discord server`;
      case "created":
        return `${faction} was created`;
      case "edited":
        return `${faction} was edited (${Array.isArray(detail.changed) ? detail.changed.join(", ") : "details"})`;
      case "archived":
        return `${faction} was archived`;
      case "policy-changed":
        return `${faction} is now ${JOIN_POLICY_STATES[detail.policy as keyof typeof JOIN_POLICY_STATES] ?? String(detail.policy)}`;
      case "role-linked":
        return `${faction} was linked to <@&${String(detail.roleId)}>`;
      case "role-unlinked":
        return `${faction} was unlinked from <@&${String(detail.roleId)}>`;
      case "role-sync-failed":
        return `could not ${detail.change === "revoke" ? "take back" : "give"} ${faction}'s role ${who ? `for ${who}` : ""}: ${String(detail.problem)}`;
      case "resynced":
        return `roles resynced: ${String(detail.granted)} given, ${String(detail.revoked)} taken back`;
      case "settings-changed":
        return `settings changed: ${Object.keys(detail).join(", ")}`;
      default:
        return event.action;
    }
  })();
  return `${at(event.createdAt)} ${text}${by}`;
}

/** What a role change did, in words an admin can act on. Empty when there is nothing to say. */
export function roleReportText(report: RoleReport): string {
  const parts: string[] = [];
  if (report.granted || report.revoked) parts.push(`Roles: ${report.granted} given, ${report.revoked} taken back.`);
  if (report.holdersUnknown)
    parts.push(
      "ℹ️ I cannot read the member list (the Server Members intent is off), so members given a faction role by hand keep it; I only gave roles to members who lacked them.",
    );
  const seen = new Set<string>();
  for (const p of report.problems) {
    const text = `${name(p.factionName)}: ${roleProblemText(p.problem, p.roleId)}`;
    if (!seen.has(text)) parts.push(`⚠️ ${text}`);
    seen.add(text);
  }
  return parts.join("\n");
}

function truncateLines(lines: readonly string[], max: number): string {
  const kept: string[] = [];
  let length = 0;
  for (const [i, line] of lines.entries()) {
    const tail = `…and ${lines.length - i} more`;
    if (length + line.length + 1 + tail.length > max) return [...kept, tail].join("\n");
    kept.push(line);
    length += line.length + 1;
  }
  return kept.join("\n");
}
