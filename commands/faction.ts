import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  type ChatInputCommandInteraction,
  InteractionContextType,
  SlashCommandBuilder,
} from "discord.js";
import { postToChannel, sendDirect } from "../src/discord/channel-post.js";
import type { AppContext, CommandModule, ComponentHandler } from "../src/discord/command-module.js";
import { answerLookup, respondWithLoreChoices } from "../src/discord/lore-lookup.js";
import { expireButtonsLater, newPager, type PagerState, pageButtons, readPageClick } from "../src/discord/paging.js";
import { isAdmin, requireGuild } from "../src/discord/permissions.js";
import { factionLabel, rosterEmbed, whoisEmbed } from "../src/discord/render/faction-embeds.js";
import { factionListEmbed } from "../src/discord/render/lore-embeds.js";
import { send, update } from "../src/discord/reply.js";
import { truncate } from "../src/discord/text.js";
import { UserError } from "../src/errors.js";
import type { ServerFaction } from "../src/factions/model.js";
import { effectivePolicy, roleProblemText } from "../src/factions/rules.js";
import {
  QUADRANT_LABELS,
  QUADRANTS,
  type Quadrant,
  STANDING_LABELS,
  STANDINGS,
  type Standing,
} from "../src/lore/model.js";
import { normalize } from "../src/lore/normalize.js";

const LIST_PREFIX = "faction-page";
const ROSTER_PREFIX = "roster-page";
const REQUEST_PREFIX = "join-request";
const LIST_SIZE = 10;
const ROSTER_SIZE = 15;
const FACTION: ["faction"] = ["faction"];

const data = new SlashCommandBuilder()
  .setName("faction")
  .setDescription("Factions of the Khitomer Alliance and this server")
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((sub) =>
    sub
      .setName("info")
      .setDescription("Show a faction: quadrant, standing toward the Alliance, relations and this server's roster")
      .addStringOption((option) =>
        option
          .setName("name")
          .setDescription("Faction name, alias or abbreviation (KDF, Feds, RSE...)")
          .setRequired(true)
          .setMaxLength(100)
          .setAutocomplete(true),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("list")
      .setDescription("List factions, optionally by quadrant or standing")
      .addStringOption((option) =>
        option
          .setName("quadrant")
          .setDescription("Only factions of this quadrant")
          .addChoices(QUADRANTS.map((q) => ({ name: QUADRANT_LABELS[q], value: q }))),
      )
      .addStringOption((option) =>
        option
          .setName("standing")
          .setDescription("Only factions with this standing toward the Alliance")
          .addChoices(STANDINGS.map((s) => ({ name: STANDING_LABELS[s], value: s }))),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("join")
      .setDescription("Join a faction on this server")
      .addStringOption((option) =>
        option
          .setName("faction")
          .setDescription("The faction to join")
          .setRequired(true)
          .setMaxLength(100)
          .setAutocomplete(true),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("leave")
      .setDescription("Leave your faction (or one of them)")
      .addStringOption((option) =>
        option
          .setName("faction")
          .setDescription("Which faction, if you are in several")
          .setMaxLength(100)
          .setAutocomplete(true),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("roster")
      .setDescription("Members of a faction on this server")
      .addStringOption((option) =>
        option
          .setName("faction")
          .setDescription("The faction (default: yours)")
          .setMaxLength(100)
          .setAutocomplete(true),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("whois")
      .setDescription("A member's factions and history on this server")
      .addUserOption((option) => option.setName("member").setDescription("The member").setRequired(true)),
  )
  .toJSON();

// ---- /faction list -------------------------------------------------------------------------------------------

function parseFilter(quadrant: string | null | undefined, standing: string | null | undefined) {
  const filter: { quadrant?: Quadrant; standing?: Standing } = {};
  if (quadrant && (QUADRANTS as readonly string[]).includes(quadrant)) filter.quadrant = quadrant as Quadrant;
  if (standing && (STANDINGS as readonly string[]).includes(standing)) filter.standing = standing as Standing;
  return filter;
}

function listPage(ctx: AppContext, guildId: string | null, state: PagerState) {
  const filter = parseFilter(state.rest[0], state.rest[1]);
  const slice = ctx.lore.factionsPage(guildId, filter, state.page, LIST_SIZE);
  const filterText = [
    filter.quadrant ? ` · ${QUADRANT_LABELS[filter.quadrant]}` : "",
    filter.standing ? ` · ${STANDING_LABELS[filter.standing]}` : "",
  ].join("");
  return {
    embeds: [
      factionListEmbed({
        title: "Factions",
        entries: slice.items,
        page: slice.page,
        pageCount: slice.pageCount,
        total: slice.total,
        filterText,
      }),
    ],
    components: pageButtons(LIST_PREFIX, { ...state, page: slice.page }, slice.pageCount),
  };
}

async function list(interaction: ChatInputCommandInteraction, ctx: AppContext): Promise<void> {
  const filter = parseFilter(interaction.options.getString("quadrant"), interaction.options.getString("standing"));
  const page = listPage(
    ctx,
    interaction.guildId,
    newPager(ctx, interaction.user.id, [filter.quadrant ?? "", filter.standing ?? ""]),
  );
  await send(interaction, page);
  if (page.components.length > 0) expireButtonsLater(interaction, ctx);
}

const turnListPage: ComponentHandler = async (interaction, args, ctx) => {
  const state = await readPageClick(interaction, args, ctx, "/faction list");
  await update(interaction, listPage(ctx, interaction.guildId, state));
};

// ---- /faction join, leave ------------------------------------------------------------------------------------

async function join(interaction: ChatInputCommandInteraction, ctx: AppContext): Promise<void> {
  const guildId = requireGuild(interaction);
  const faction = await ctx.factions.resolve(guildId, interaction.options.getString("faction", true));
  const result = await ctx.factions.join(guildId, interaction.user.id, faction);
  if (result.kind === "joined") {
    const warning =
      result.roleProblem && result.faction.roleId
        ? `\n⚠️ ${roleProblemText(result.roleProblem, result.faction.roleId)}`
        : "";
    await send(interaction, {
      content: `Welcome to **${factionLabel(result.faction)}**.${result.faction.roleId && !result.roleProblem ? ` You now have <@&${result.faction.roleId}>.` : ""}${warning}`,
      ephemeral: true,
    });
    return;
  }
  const posted = await postJoinRequest(interaction, ctx, result.faction, result.request.id);
  await send(interaction, {
    content: posted
      ? `**${factionLabel(result.faction)}** needs approval to join. Your request went to its leaders and the council; you will hear back by direct message.`
      : `**${factionLabel(result.faction)}** needs approval to join. Your request is recorded, but I could not post it for the leaders (I cannot write in the approvals channel); please tell an admin.`,
    components: [
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder()
          .setCustomId(`${REQUEST_PREFIX}:cancel:${result.request.id}`)
          .setLabel("Withdraw request")
          .setStyle(ButtonStyle.Secondary),
      ),
    ],
    ephemeral: true,
  });
}

/** Posts the request where leaders and the council see it, with Approve/Deny buttons. Nobody is pinged. */
async function postJoinRequest(
  interaction: ChatInputCommandInteraction,
  ctx: AppContext,
  faction: ServerFaction,
  requestId: string,
): Promise<boolean> {
  const guildId = requireGuild(interaction);
  const [settings, card] = await Promise.all([ctx.factions.settings(guildId), ctx.factions.card(faction)]);
  const deciders = [
    card.leaders.length > 0
      ? `leaders of ${factionLabel(faction)} (${card.leaders.map((id) => `<@${id}>`).join(", ")})`
      : null,
    settings.councilRoleId ? `<@&${settings.councilRoleId}>` : null,
    "members with Manage Server",
  ].filter(Boolean);
  const channelId = settings.approvalChannelId ?? interaction.channelId;
  const result = await postToChannel(interaction.client, channelId, {
    embeds: [
      {
        title: `Join request: ${factionLabel(faction)}`,
        description: `<@${interaction.user.id}> asks to join **${factionLabel(faction)}**.\nWho may decide: ${deciders.join(", ")}.`,
        color: faction.color ?? 0x5865f2,
      },
    ],
    components: [
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder()
          .setCustomId(`${REQUEST_PREFIX}:approve:${requestId}`)
          .setLabel("Approve")
          .setStyle(ButtonStyle.Success),
        new ButtonBuilder()
          .setCustomId(`${REQUEST_PREFIX}:deny:${requestId}`)
          .setLabel("Deny")
          .setStyle(ButtonStyle.Danger),
      ),
    ],
  });
  if (!result.ok) {
    ctx.log.warn({ guildId, channelId, reason: result.reason }, "could not post a join request");
    return false;
  }
  await ctx.factions.attachRequestMessage(requestId, result.channelId, result.messageId);
  return true;
}

const decideRequest: ComponentHandler = async (interaction, args, ctx) => {
  const guildId = requireGuild(interaction);
  const [action, requestId = ""] = args;
  if (action === "cancel") {
    await ctx.factions.cancelRequest(guildId, requestId, interaction.user.id);
    await update(interaction, { content: "Request withdrawn.", components: [] });
    return;
  }
  if (action !== "approve" && action !== "deny") throw new UserError("stale-component", "This button no longer works.");
  const outcome = await ctx.factions.decide(
    guildId,
    requestId,
    action === "approve",
    interaction.user.id,
    await isAdmin(interaction, ctx),
  );
  const label = factionLabel(outcome.faction);
  const verdict =
    action === "approve" ? `Approved by <@${interaction.user.id}>.` : `Denied by <@${interaction.user.id}>.`;
  const embed = interaction.message?.embeds[0]?.toJSON() ?? { title: `Join request: ${label}` };
  await update(interaction, {
    embeds: [{ ...embed, description: `${embed.description ?? ""}\n\n**${verdict}**` }],
    components: [],
  });
  const guildName = interaction.guild?.name ?? "the server";
  const told = await sendDirect(interaction.client, outcome.request.userId, {
    content:
      action === "approve"
        ? `Your request to join **${label}** on ${guildName} was approved. Welcome!`
        : `Your request to join **${label}** on ${guildName} was not approved.`,
  });
  const notes = [
    told ? "The member was told by direct message." : "The member does not accept direct messages; please tell them.",
  ];
  const problem = outcome.joined?.kind === "joined" ? outcome.joined.roleProblem : null;
  if (problem && outcome.faction.roleId) notes.push(`⚠️ ${roleProblemText(problem, outcome.faction.roleId)}`);
  await send(interaction, { content: notes.join("\n"), ephemeral: true });
};

async function leave(interaction: ChatInputCommandInteraction, ctx: AppContext): Promise<void> {
  const guildId = requireGuild(interaction);
  const input = interaction.options.getString("faction");
  const target = input ? await ctx.factions.resolve(guildId, input) : undefined;
  const { faction, roleProblem } = await ctx.factions.leave(guildId, interaction.user.id, target);
  const warning = roleProblem && faction.roleId ? `\n⚠️ ${roleProblemText(roleProblem, faction.roleId)}` : "";
  await send(interaction, { content: `You left **${factionLabel(faction)}**.${warning}`, ephemeral: true });
}

// ---- /faction roster, whois ----------------------------------------------------------------------------------

async function rosterPage(ctx: AppContext, guildId: string, state: PagerState) {
  const faction = await ctx.factions.byId(guildId, state.rest[0] ?? "");
  if (!faction) throw new UserError("faction-gone", "That faction no longer exists on this server.");
  const total = (await ctx.factions.roster(faction, 0, 0)).total;
  const pageCount = Math.max(1, Math.ceil(total / ROSTER_SIZE));
  const page = Math.min(Math.max(0, state.page), pageCount - 1);
  const { members } = await ctx.factions.roster(faction, page, ROSTER_SIZE);
  return {
    embeds: [rosterEmbed(faction, members, page, pageCount, total)],
    components: pageButtons(ROSTER_PREFIX, { ...state, page }, pageCount),
  };
}

async function roster(interaction: ChatInputCommandInteraction, ctx: AppContext): Promise<void> {
  const guildId = requireGuild(interaction);
  const input = interaction.options.getString("faction");
  let faction = input ? await ctx.factions.resolve(guildId, input) : undefined;
  if (!faction) {
    const mine = await ctx.factions.membershipsNamed(guildId, interaction.user.id);
    if (mine.length !== 1)
      throw new UserError(
        "which-faction",
        mine.length === 0 ? "Name a faction: you belong to none here." : "You belong to several factions: name one.",
      );
    faction = await ctx.factions.byId(guildId, mine[0]?.factionId ?? "");
  }
  if (!faction?.id) {
    await send(interaction, {
      embeds: [rosterEmbed(faction ?? ({ name: input ?? "?" } as ServerFaction), [], 0, 1, 0)],
    });
    return;
  }
  const page = await rosterPage(ctx, guildId, newPager(ctx, interaction.user.id, [faction.id]));
  await send(interaction, page);
  if (page.components.length > 0) expireButtonsLater(interaction, ctx);
}

const turnRosterPage: ComponentHandler = async (interaction, args, ctx) => {
  const state = await readPageClick(interaction, args, ctx, "/faction roster");
  await update(interaction, await rosterPage(ctx, requireGuild(interaction), state));
};

async function whois(interaction: ChatInputCommandInteraction, ctx: AppContext): Promise<void> {
  const guildId = requireGuild(interaction);
  const user = interaction.options.getUser("member", true);
  const record = await ctx.factions.whois(guildId, user.id);
  await send(interaction, { embeds: [whoisEmbed(user.id, record.memberships, record.history, record.factionNames)] });
}

// ---- autocomplete ----------------------------------------------------------------------------------------------

/** Joinable factions as the member types: open or approval, not archived, not one they are already in. */
async function joinChoices(ctx: AppContext, guildId: string, userId: string, typed: string) {
  const [factions, mine, settings] = await Promise.all([
    ctx.factions.list(guildId),
    ctx.factions.membershipsNamed(guildId, userId),
    ctx.factions.settings(guildId),
  ]);
  const member = new Set(mine.map((m) => m.factionId));
  const joinable = new Set(
    factions.filter((f) => effectivePolicy(f, settings) !== "closed" && !(f.id && member.has(f.id))).map((f) => f.slug),
  );
  const entries = normalize(typed)
    ? ctx.lore.search(typed, { guildId, kinds: FACTION, limit: 100 }).map((hit) => hit.entry)
    : ctx.lore.index.list(guildId, FACTION);
  return entries.filter((e) => joinable.has(e.slug)).slice(0, 25);
}

async function memberChoices(ctx: AppContext, guildId: string, userId: string, typed: string) {
  const mine = await ctx.factions.membershipsNamed(guildId, userId);
  const needle = normalize(typed);
  return mine
    .map((m) => ({ name: truncate(m.factionName, 100), factionId: m.factionId }))
    .filter((m) => !needle || normalize(m.name).includes(needle));
}

export const faction: CommandModule = {
  data,
  async execute(interaction, ctx) {
    switch (interaction.options.getSubcommand()) {
      case "info":
        return answerLookup(interaction, ctx, interaction.options.getString("name", true), FACTION, "faction");
      case "list":
        return list(interaction, ctx);
      case "join":
        return join(interaction, ctx);
      case "leave":
        return leave(interaction, ctx);
      case "roster":
        return roster(interaction, ctx);
      case "whois":
        return whois(interaction, ctx);
      default:
        throw new UserError("unknown-subcommand", "That part of /faction does not exist any more. Try `/help`.");
    }
  },
  async autocomplete(interaction, ctx) {
    const sub = interaction.options.getSubcommand();
    const typed = String(interaction.options.getFocused() ?? "");
    const guildId = interaction.guildId;
    if (sub === "join" && guildId) {
      const entries = await joinChoices(ctx, guildId, interaction.user.id, typed);
      await interaction.respond(entries.map((e) => ({ name: truncate(e.name, 100), value: e.id })));
      return;
    }
    if (sub === "leave" && guildId) {
      const mine = await memberChoices(ctx, guildId, interaction.user.id, typed);
      const choices = await Promise.all(
        mine.map(async (m) => {
          const row = await ctx.factions.byId(guildId, m.factionId);
          const entry = row && ctx.factions.entryOf(row);
          return entry ? { name: m.name, value: entry.id } : undefined;
        }),
      );
      await interaction.respond(
        choices.filter((c): c is { name: string; value: string } => c !== undefined).slice(0, 25),
      );
      return;
    }
    await respondWithLoreChoices(interaction, ctx, FACTION);
  },
  components: { [LIST_PREFIX]: turnListPage, [ROSTER_PREFIX]: turnRosterPage, [REQUEST_PREFIX]: decideRequest },
};

/** Kept for tests that move the clock past the expiry of page buttons. */
export { PAGE_TTL_MS as LIST_TTL_MS } from "../src/discord/paging.js";
