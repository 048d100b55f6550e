import { type ChatInputCommandInteraction, InteractionContextType, SlashCommandBuilder } from "discord.js";
import type { AppContext, CommandModule, ComponentHandler } from "../src/discord/command-module.js";
import { respondWithLoreChoices } from "../src/discord/lore-lookup.js";
import { expireButtonsLater, newPager, type PagerState, pageButtons, readPageClick } from "../src/discord/paging.js";
import { requireAdmin } from "../src/discord/permissions.js";
import { auditEmbed, factionLabel, roleReportText } from "../src/discord/render/faction-embeds.js";
import { send, update } from "../src/discord/reply.js";
import { truncate } from "../src/discord/text.js";
import { UserError } from "../src/errors.js";
import { JOIN_POLICY_CHOICES, JOIN_POLICY_STATES, type JoinPolicy, type ServerFaction } from "../src/factions/model.js";
import { DESCRIPTION_MAX, NOTES_MAX, parseColour, validateEmoji, validateText } from "../src/factions/rules.js";
import { normalize } from "../src/lore/normalize.js";

const LOG_PREFIX = "audit-page";
const LOG_SIZE = 15;

const factionOption =
  (description = "The faction") =>
  (option: import("discord.js").SlashCommandStringOption) =>
    option.setName("faction").setDescription(description).setRequired(true).setMaxLength(100).setAutocomplete(true);

const data = new SlashCommandBuilder()
  .setName("faction-admin")
  .setDescription("Manage this server's factions (Manage Server or the council role)")
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((sub) =>
    sub
      .setName("create")
      .setDescription("Create a faction of this server's own")
      .addStringOption((o) => o.setName("name").setDescription("Its name").setRequired(true).setMaxLength(60))
      .addStringOption((o) =>
        o
          .setName("based-on")
          .setDescription("A canon faction whose lore it inherits")
          .setMaxLength(100)
          .setAutocomplete(true),
      )
      .addStringOption((o) =>
        o.setName("description").setDescription("A few words about it").setMaxLength(DESCRIPTION_MAX),
      )
      .addStringOption((o) =>
        o.setName("colour").setDescription("Hex colour like #c0392b, or red, blue, gold...").setMaxLength(20),
      )
      .addStringOption((o) => o.setName("emoji").setDescription("One emoji").setMaxLength(64))
      .addStringOption((o) =>
        o
          .setName("joining")
          .setDescription("Who may join (default: open)")
          .addChoices(...JOIN_POLICY_CHOICES),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("edit")
      .setDescription("Change a faction's name, description, notes, colour or emoji")
      .addStringOption(factionOption())
      .addStringOption((o) => o.setName("name").setDescription("New name (server-made factions)").setMaxLength(60))
      .addStringOption((o) =>
        o.setName("description").setDescription("New description (server-made factions)").setMaxLength(DESCRIPTION_MAX),
      )
      .addStringOption((o) =>
        o.setName("notes").setDescription("Server notes shown on the card; '-' clears them").setMaxLength(NOTES_MAX),
      )
      .addStringOption((o) => o.setName("colour").setDescription("Hex colour or name; '-' clears it").setMaxLength(20))
      .addStringOption((o) => o.setName("emoji").setDescription("One emoji; '-' clears it").setMaxLength(64)),
  )
  .addSubcommand((sub) =>
    sub
      .setName("archive")
      .setDescription("Archive a faction: nobody can join, history and roster stay readable")
      .addStringOption(factionOption()),
  )
  .addSubcommand((sub) =>
    sub.setName("allow").setDescription("Let members join a faction freely").addStringOption(factionOption()),
  )
  .addSubcommand((sub) =>
    sub.setName("close").setDescription("Close a faction to new members").addStringOption(factionOption()),
  )
  .addSubcommand((sub) =>
    sub
      .setName("require-approval")
      .setDescription("Joining a faction needs a leader's or the council's approval")
      .addStringOption(factionOption()),
  )
  .addSubcommand((sub) =>
    sub
      .setName("link-role")
      .setDescription("Membership of a faction gives a Discord role")
      .addStringOption(factionOption())
      .addRoleOption((o) => o.setName("role").setDescription("The role to manage").setRequired(true)),
  )
  .addSubcommand((sub) =>
    sub.setName("unlink-role").setDescription("Stop managing a faction's role").addStringOption(factionOption()),
  )
  .addSubcommand((sub) =>
    sub.setName("resync").setDescription("Repair faction roles that drifted (added or removed by hand)"),
  )
  .addSubcommand((sub) =>
    sub
      .setName("leader")
      .setDescription("Make a member a leader of their faction, or stop that")
      .addStringOption(factionOption())
      .addUserOption((o) => o.setName("member").setDescription("The member").setRequired(true))
      .addBooleanOption((o) => o.setName("remove").setDescription("Remove the leadership instead")),
  )
  .addSubcommand((sub) =>
    sub
      .setName("move")
      .setDescription("Move a member into a faction")
      .addUserOption((o) => o.setName("member").setDescription("The member").setRequired(true))
      .addStringOption(factionOption("The faction to move them into"))
      .addStringOption((o) =>
        o
          .setName("from")
          .setDescription("The faction to move them out of, if several")
          .setMaxLength(100)
          .setAutocomplete(true),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("remove")
      .setDescription("Remove a member from a faction (or from all)")
      .addUserOption((o) => o.setName("member").setDescription("The member").setRequired(true))
      .addStringOption((o) =>
        o.setName("faction").setDescription("Only this faction").setMaxLength(100).setAutocomplete(true),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("log")
      .setDescription("The audit trail: who did what, when")
      .addUserOption((o) => o.setName("member").setDescription("Only what concerns this member")),
  )
  .toJSON();

async function faction(
  ctx: AppContext,
  guildId: string,
  interaction: ChatInputCommandInteraction,
  option = "faction",
): Promise<ServerFaction> {
  return ctx.factions.resolve(guildId, interaction.options.getString(option, true));
}

/** "-" clears an optional field; absent leaves it alone. */
function optionalClear<T>(raw: string | null, parse: (text: string) => T): T | null | undefined {
  if (raw === null) return undefined;
  return raw.trim() === "-" ? null : parse(raw);
}

async function create(interaction: ChatInputCommandInteraction, ctx: AppContext, guildId: string) {
  const baseInput = interaction.options.getString("based-on");
  const basedOn = baseInput ? (ctx.lore.visible(baseInput, null, ["faction"]) ?? resolveCanon(ctx, baseInput)) : null;
  const colour = interaction.options.getString("colour");
  const emoji = interaction.options.getString("emoji");
  const created = await ctx.factions.create(guildId, interaction.user.id, {
    name: interaction.options.getString("name", true),
    description: validateText(interaction.options.getString("description") ?? "", DESCRIPTION_MAX, "description"),
    color: colour ? parseColour(colour) : null,
    emoji: emoji ? validateEmoji(emoji) : null,
    basedOn,
    policy: (interaction.options.getString("joining") as JoinPolicy | null) ?? null,
  });
  await send(interaction, {
    content: `Created **${factionLabel(created)}**${basedOn ? `, based on ${basedOn.name}` : ""}. Members can ${
      created.ownPolicy === "closed"
        ? "not join it yet (closed)"
        : created.ownPolicy === "approval"
          ? "ask to join it"
          : "join it"
    } with \`/faction join\`.`,
    ephemeral: true,
  });
}

function resolveCanon(ctx: AppContext, input: string) {
  const resolution = ctx.lore.resolve(input, null, ["faction"]);
  if (resolution.kind === "found") return resolution.entry;
  // "Klingon Empire" also names "Klingon Empire Rebels": say which ones, not that none exists.
  if (resolution.kind === "ambiguous")
    throw new UserError(
      "ambiguous-base",
      `Which canon faction do you mean: ${resolution.candidates
        .slice(0, 5)
        .map((e) => e.name)
        .join(", ")}? Pick one from the suggestions.`,
    );
  throw new UserError("unknown-base", "No canon faction has that name. Pick one from the suggestions.");
}

async function edit(interaction: ChatInputCommandInteraction, ctx: AppContext, guildId: string) {
  const target = await faction(ctx, guildId, interaction);
  const o = interaction.options;
  const patch = {
    ...(o.getString("name") !== null ? { name: o.getString("name") as string } : {}),
    ...(o.getString("description") !== null
      ? { description: validateText(o.getString("description") as string, DESCRIPTION_MAX, "description") }
      : {}),
    ...(o.getString("notes") !== null
      ? {
          notes:
            o.getString("notes")?.trim() === "-"
              ? ""
              : validateText(o.getString("notes") as string, NOTES_MAX, "notes"),
        }
      : {}),
  } as { name?: string; description?: string; notes?: string; color?: number | null; emoji?: string | null };
  const colour = optionalClear(o.getString("colour"), parseColour);
  if (colour !== undefined) patch.color = colour;
  const emoji = optionalClear(o.getString("emoji"), validateEmoji);
  if (emoji !== undefined) patch.emoji = emoji;
  const updated = await ctx.factions.edit(guildId, interaction.user.id, target, patch);
  await send(interaction, { content: `Saved **${factionLabel(updated)}**.`, ephemeral: true });
}

async function setPolicy(
  interaction: ChatInputCommandInteraction,
  ctx: AppContext,
  guildId: string,
  policy: JoinPolicy,
) {
  const updated = await ctx.factions.setPolicy(
    guildId,
    interaction.user.id,
    await faction(ctx, guildId, interaction),
    policy,
  );
  await send(interaction, {
    content: `**${factionLabel(updated)}** is now ${JOIN_POLICY_STATES[policy]}.`,
    ephemeral: true,
  });
}

async function logPage(ctx: AppContext, guildId: string, state: PagerState) {
  const userId = state.rest[0] || undefined;
  const { events, total, factionNames } = await ctx.factions.auditLog(guildId, {
    ...(userId ? { userId } : {}),
    page: state.page,
    size: LOG_SIZE,
  });
  const pageCount = Math.max(1, Math.ceil(total / LOG_SIZE));
  return {
    embeds: [auditEmbed(events, factionNames, state.page, pageCount, total)],
    components: pageButtons(LOG_PREFIX, state, pageCount),
  };
}

const turnLogPage: ComponentHandler = async (interaction, args, ctx) => {
  const guildId = await requireAdmin(interaction, ctx);
  const state = await readPageClick(interaction, args, ctx, "/faction-admin log");
  await update(interaction, await logPage(ctx, guildId, state));
};

async function execute(interaction: ChatInputCommandInteraction, ctx: AppContext): Promise<void> {
  const guildId = await requireAdmin(interaction, ctx);
  const actor = interaction.user.id;
  const sub = interaction.options.getSubcommand();
  switch (sub) {
    case "create":
      return create(interaction, ctx, guildId);
    case "edit":
      return edit(interaction, ctx, guildId);
    case "archive": {
      const { faction: archived, report } = await ctx.factions.archive(
        guildId,
        actor,
        await faction(ctx, guildId, interaction),
      );
      const roles = roleReportText(report);
      return send(interaction, {
        content: `Archived **${factionLabel(archived)}**: nobody can join it; its roster and history stay readable.${roles ? `\n${roles}` : ""}`,
        ephemeral: true,
      });
    }
    case "allow":
      return setPolicy(interaction, ctx, guildId, "open");
    case "close":
      return setPolicy(interaction, ctx, guildId, "closed");
    case "require-approval":
      return setPolicy(interaction, ctx, guildId, "approval");
    case "link-role": {
      const role = interaction.options.getRole("role", true);
      if (role.id === guildId) throw new UserError("bad-role", "@everyone cannot be a faction role.");
      const { faction: linked, report } = await ctx.factions.linkRole(
        guildId,
        actor,
        await faction(ctx, guildId, interaction),
        role.id,
      );
      const roles = roleReportText(report);
      return send(interaction, {
        content: `Members of **${factionLabel(linked)}** now get <@&${role.id}>; I will touch no other role.${roles ? `\n${roles}` : ""}`,
        ephemeral: true,
      });
    }
    case "unlink-role": {
      const unlinked = await ctx.factions.unlinkRole(guildId, actor, await faction(ctx, guildId, interaction));
      return send(interaction, {
        content: `I no longer manage a role for **${factionLabel(unlinked)}**. Nobody's roles were changed.`,
        ephemeral: true,
      });
    }
    case "resync": {
      await interaction.deferReply({ flags: 64 });
      const report = await ctx.factions.resync(guildId, actor);
      return send(interaction, {
        content: roleReportText(report) || "All faction roles were already right.",
        ephemeral: true,
      });
    }
    case "leader": {
      const user = interaction.options.getUser("member", true);
      const target = await faction(ctx, guildId, interaction);
      const remove = interaction.options.getBoolean("remove") ?? false;
      await ctx.factions.setLeader(guildId, actor, target, user.id, !remove);
      return send(interaction, {
        content: remove
          ? `<@${user.id}> is no longer a leader of **${factionLabel(target)}**.`
          : `<@${user.id}> now leads **${factionLabel(target)}**.`,
        ephemeral: true,
      });
    }
    case "move": {
      const user = interaction.options.getUser("member", true);
      if (user.bot) throw new UserError("bot-member", "Bots cannot belong to factions.");
      const fromInput = interaction.options.getString("from");
      const from = fromInput ? await ctx.factions.resolve(guildId, fromInput) : undefined;
      const result = await ctx.factions.move(guildId, actor, user.id, await faction(ctx, guildId, interaction), from);
      const roles = roleReportText({ granted: 0, revoked: 0, problems: result.problems });
      return send(interaction, {
        content: `${result.from ? `Moved <@${user.id}> from **${factionLabel(result.from)}** to` : `Placed <@${user.id}> in`} **${factionLabel(result.to)}**. It is in the audit log.${roles ? `\n${roles}` : ""}`,
        ephemeral: true,
      });
    }
    case "remove": {
      const user = interaction.options.getUser("member", true);
      const input = interaction.options.getString("faction");
      const from = input ? await ctx.factions.resolve(guildId, input) : undefined;
      const result = await ctx.factions.remove(guildId, actor, user.id, from);
      return send(interaction, {
        content: `Removed <@${user.id}> from ${result.removed.map((f) => `**${factionLabel(f)}**`).join(", ")}. It is in the audit log.${
          result.problems.length > 0 ? `\n${roleReportText({ granted: 0, revoked: 0, problems: result.problems })}` : ""
        }`,
        ephemeral: true,
      });
    }
    case "log": {
      const user = interaction.options.getUser("member");
      const page = await logPage(ctx, guildId, newPager(ctx, actor, [user?.id ?? ""]));
      await send(interaction, { ...page, ephemeral: true });
      if (page.components.length > 0) expireButtonsLater(interaction, ctx);
      return;
    }
    default:
      throw new UserError("unknown-subcommand", "That part of /faction-admin does not exist any more. Try `/help`.");
  }
}

export const factionAdmin: CommandModule = {
  data,
  execute,
  async autocomplete(interaction, ctx) {
    const focused = interaction.options.getFocused(true);
    if (focused.name === "based-on") return respondWithLoreChoices(interaction, ctx, ["faction"]);
    const guildId = interaction.guildId;
    if (!guildId) return interaction.respond([]);
    // Every faction of the server, archived ones included (they can still be edited or looked at).
    const factions = await ctx.factions.list(guildId, { includeArchived: true });
    const needle = normalize(String(focused.value ?? ""));
    const ranked = needle
      ? ctx.lore.search(String(focused.value), { guildId, kinds: ["faction"], limit: 50 }).map((h) => h.entry)
      : factions.map((f) => ctx.factions.entryOf(f)).filter((e) => e !== undefined);
    await interaction.respond(
      ranked.slice(0, 25).map((entry) => ({ name: truncate(entry.name, 100), value: entry.id })),
    );
  },
  components: { [LOG_PREFIX]: turnLogPage },
};
