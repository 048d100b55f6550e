import { ChannelType, PermissionFlagsBits } from "discord.js";
import type { GuildSeed, LoopbackDiscord } from "../../test/loopback/server.js";
import type { NameDirectory } from "./discord-markup.js";
import type { EntityLookup } from "./parse-slash.js";

// Who and where the console can be: the seeded servers, their channels and members, looked up by the names a
// person types. Live details (a member's roles after the bot changed them) come from the loopback server.

export type Found<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Letters and digits only, so `qonos` finds "Qo'noS Irregulars" and `lore archive` finds #lore-archive. */
export function simplify(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
}

/**
 * Finds one item by what was typed: its number in the list, an exact name, then a unique prefix, then a unique
 * part of a name. Ambiguity is reported with the candidates instead of guessing.
 */
export function findByName<T>(
  items: readonly T[],
  typed: string,
  names: (item: T) => string[],
  noun: string,
): Found<T> {
  const all = () => items.map((item) => names(item)[0]).join(", ");
  if (/^\d{1,3}$/.test(typed.trim())) {
    const item = items[Number(typed) - 1];
    if (item) return { ok: true, value: item };
  }
  const wanted = simplify(typed);
  if (!wanted) return { ok: false, problem: `Which ${noun}? ${all()}` };
  const tiers = [
    (name: string) => name === wanted,
    (name: string) => name.startsWith(wanted),
    (name: string) => name.includes(wanted),
  ];
  for (const test of tiers) {
    const hits = items.filter((item) => names(item).some((name) => test(simplify(name))));
    if (hits.length === 1 && hits[0] !== undefined) return { ok: true, value: hits[0] };
    if (hits.length > 1)
      return { ok: false, problem: `"${typed}" could be ${hits.map((item) => names(item)[0]).join(" or ")}.` };
  }
  return { ok: false, problem: `No ${noun} "${typed}". There is: ${all()}` };
}

const NOTABLE_PERMISSIONS: [bigint, string][] = [
  [PermissionFlagsBits.Administrator, "Administrator"],
  [PermissionFlagsBits.ManageGuild, "Manage Server"],
  [PermissionFlagsBits.ManageRoles, "Manage Roles"],
  [PermissionFlagsBits.ManageEvents, "Manage Events"],
  [PermissionFlagsBits.ManageChannels, "Manage Channels"],
  [PermissionFlagsBits.ManageMessages, "Manage Messages"],
];

export class ConsoleDirectory {
  constructor(
    private readonly discord: LoopbackDiscord,
    readonly guilds: readonly GuildSeed[],
  ) {}

  guild(guildId: string): GuildSeed {
    const guild = this.guilds.find((g) => g.id === guildId);
    if (!guild) throw new Error(`console: no seeded server ${guildId}`);
    return guild;
  }

  guildOfChannel(channelId: string): GuildSeed | undefined {
    return this.guilds.find((g) => g.channels.some((c) => c.id === channelId));
  }

  textChannels(guildId: string) {
    return this.guild(guildId).channels.filter((c) => (c.type ?? ChannelType.GuildText) === ChannelType.GuildText);
  }

  members(guildId: string) {
    return (this.guild(guildId).members ?? []).map((m) => m.user);
  }

  isMember(guildId: string, userId: string): boolean {
    return this.members(guildId).some((user) => user.id === userId);
  }

  findServer(typed: string): Found<GuildSeed> {
    return findByName(this.guilds, typed, (g) => [g.name], "server");
  }

  findChannel(guildId: string, typed: string) {
    return findByName(this.textChannels(guildId), typed.replace(/^#/, ""), (c) => [c.name], "channel");
  }

  findMember(guildId: string, typed: string) {
    return findByName(
      this.members(guildId),
      typed.replace(/^@/, ""),
      (u) => [u.username, u.globalName ?? ""],
      "member",
    );
  }

  /** Names shown for mentions, as the Discord client shows them in this server. */
  names(guildId: string): NameDirectory {
    return {
      user: (id) => {
        const member = this.discord.memberObject(guildId, id);
        const user = member?.user ?? this.discord.userObject(id);
        return member?.nick ?? user?.global_name ?? user?.username;
      },
      role: (id) =>
        this.discord.roleObject(guildId, id)?.name ??
        this.guilds.map((g) => this.discord.roleObject(g.id, id)?.name).find(Boolean),
      channel: (id) => this.discord.channelObject(id)?.name,
    };
  }

  /** Resolves user, role and channel option values typed as names, mentions or ids. */
  lookup(guildId: string): EntityLookup {
    const id = (text: string) => /^<[@#][!&]?(\d+)>$/.exec(text)?.[1] ?? (/^\d{17,20}$/.test(text) ? text : undefined);
    const roles = () => this.discord.roles(guildId).filter((r) => r.id !== guildId && !r.managed);
    return {
      user: (text) => {
        const direct = id(text);
        if (direct && this.isMember(guildId, direct)) return direct;
        const found = this.findMember(guildId, text);
        return found.ok ? found.value.id : undefined;
      },
      role: (text) => {
        const direct = id(text);
        if (direct && this.discord.roleObject(guildId, direct)) return direct;
        const found = findByName(roles(), text.replace(/^@/, ""), (r) => [r.name], "role");
        return found.ok ? found.value.id : undefined;
      },
      channel: (text) => {
        const direct = id(text);
        if (direct && this.guild(guildId).channels.some((c) => c.id === direct)) return direct;
        const found = findByName(this.guild(guildId).channels, text.replace(/^#/, ""), (c) => [c.name], "channel");
        return found.ok ? found.value.id : undefined;
      },
      names: (kind) =>
        kind === "user"
          ? this.members(guildId).map((u) => u.username)
          : kind === "role"
            ? roles().map((r) => r.name)
            : this.guild(guildId).channels.map((c) => `#${c.name}`),
    };
  }

  /** `alice — owner, Admiral (Manage Server, Manage Roles, Manage Events)` for each member of a server. */
  memberLines(guildId: string, currentUserId: string): string[] {
    const guild = this.guild(guildId);
    return this.members(guildId).map((user, index) => {
      const member = this.discord.memberObject(guildId, user.id);
      const roles = (member?.roles ?? []).map((roleId) => this.discord.roleObject(guildId, roleId)?.name ?? roleId);
      const owner = guild.ownerId === user.id;
      const bits = this.discord.permissionsOf(guildId, user.id) ?? 0n;
      const permissions = owner
        ? ["all permissions"]
        : NOTABLE_PERMISSIONS.filter(([bit]) => (bits & bit) === bit).map(([, name]) => name);
      const who = [owner ? "server owner" : undefined, ...roles].filter(Boolean).join(", ") || "no roles";
      const marker = user.id === currentUserId ? "*" : " ";
      const perms = permissions.length ? ` (${permissions.join(", ")})` : "";
      return `${marker} ${index + 1}. ${user.username} — ${who}${perms}`;
    });
  }
}
