import { ChannelType, type ChatInputCommandInteraction, InteractionContextType, SlashCommandBuilder } from "discord.js";
import type { AppContext, CommandModule } from "../src/discord/command-module.js";
import { requireAdmin } from "../src/discord/permissions.js";
import { send } from "../src/discord/reply.js";
import { UserError } from "../src/errors.js";
import { JOIN_POLICY_CHOICES, JOIN_POLICY_LABELS, JOIN_POLICY_STATES, type JoinPolicy } from "../src/factions/model.js";
import { isValidTimeZone, timeZoneChoices } from "../src/time/time-zones.js";

const data = new SlashCommandBuilder()
  .setName("config")
  .setDescription("This server's Khitomer settings (Manage Server or the council role)")
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((sub) => sub.setName("show").setDescription("Show the current settings"))
  .addSubcommand((sub) =>
    sub
      .setName("council-role")
      .setDescription("Members with this role may use the admin commands (leave empty to clear)")
      .addRoleOption((o) => o.setName("role").setDescription("The council role")),
  )
  .addSubcommand((sub) =>
    sub
      .setName("timezone")
      .setDescription("The server's time zone (IANA name such as Europe/Berlin)")
      .addStringOption((o) =>
        o.setName("zone").setDescription("Time zone").setRequired(true).setMaxLength(64).setAutocomplete(true),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("max-factions")
      .setDescription("How many factions a member may belong to at once")
      .addIntegerOption((o) =>
        o.setName("count").setDescription("1 to 10").setRequired(true).setMinValue(1).setMaxValue(10),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("join-policy")
      .setDescription("Who may join canon factions the server has not set one by one")
      .addStringOption((o) =>
        o
          .setName("policy")
          .setDescription("The default")
          .setRequired(true)
          .addChoices(...JOIN_POLICY_CHOICES),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("approval-channel")
      .setDescription("Where join requests are posted (leave empty: the channel where they are made)")
      .addChannelOption((o) =>
        o.setName("channel").setDescription("A text channel").addChannelTypes(ChannelType.GuildText),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("treaty-voters")
      .setDescription("Who votes on treaties that name no parties")
      .addStringOption((o) =>
        o
          .setName("who")
          .setDescription("Members of any faction (default), or anyone on the server")
          .setRequired(true)
          .addChoices(
            { name: "members of any faction", value: "factions" },
            { name: "anyone on the server", value: "anyone" },
          ),
      ),
  )
  .toJSON();

async function show(interaction: ChatInputCommandInteraction, ctx: AppContext, guildId: string) {
  const s = await ctx.factions.settings(guildId);
  await send(interaction, {
    ephemeral: true,
    embeds: [
      {
        title: "Server settings",
        color: 0x5865f2,
        fields: [
          {
            name: "Council role",
            value: s.councilRoleId ? `<@&${s.councilRoleId}>` : "none (Manage Server only)",
            inline: true,
          },
          { name: "Time zone", value: s.timezone, inline: true },
          { name: "Factions per member", value: String(s.maxFactions), inline: true },
          { name: "Canon factions", value: JOIN_POLICY_LABELS[s.canonJoinPolicy], inline: true },
          {
            name: "Join requests go to",
            value: s.approvalChannelId ? `<#${s.approvalChannelId}>` : "the channel where they are made",
            inline: true,
          },
        ],
      },
    ],
  });
}

export const config: CommandModule = {
  data,
  async execute(interaction, ctx) {
    const guildId = await requireAdmin(interaction, ctx);
    const actor = interaction.user.id;
    const o = interaction.options;
    switch (o.getSubcommand()) {
      case "show":
        return show(interaction, ctx, guildId);
      case "council-role": {
        const role = o.getRole("role");
        if (role?.id === guildId) throw new UserError("bad-role", "@everyone cannot be the council role.");
        await ctx.factions.updateSettings(guildId, actor, { councilRoleId: role?.id ?? null });
        return send(interaction, {
          content: role
            ? `Members with <@&${role.id}> may now use the admin commands.`
            : "Council role cleared: only Manage Server counts.",
          ephemeral: true,
        });
      }
      case "timezone": {
        const zone = o.getString("zone", true).trim();
        if (!isValidTimeZone(zone))
          throw new UserError(
            "bad-timezone",
            "That is not a time zone I know. Use an IANA name such as Europe/Berlin or America/New_York.",
          );
        await ctx.factions.updateSettings(guildId, actor, { timezone: zone });
        return send(interaction, { content: `Time zone set to ${zone}.`, ephemeral: true });
      }
      case "max-factions": {
        const count = o.getInteger("count", true);
        if (count < 1 || count > 10) throw new UserError("bad-count", "Choose between 1 and 10.");
        await ctx.factions.updateSettings(guildId, actor, { maxFactions: count });
        return send(interaction, {
          content: `Members may now belong to ${count} faction${count === 1 ? "" : "s"} at once. Nobody loses a membership they already have.`,
          ephemeral: true,
        });
      }
      case "join-policy": {
        const policy = o.getString("policy", true) as JoinPolicy;
        await ctx.factions.updateSettings(guildId, actor, { canonJoinPolicy: policy });
        return send(interaction, {
          content: `Canon factions without their own setting are now ${JOIN_POLICY_STATES[policy]}.`,
          ephemeral: true,
        });
      }
      case "approval-channel": {
        const channel = o.getChannel("channel");
        await ctx.factions.updateSettings(guildId, actor, { approvalChannelId: channel?.id ?? null });
        return send(interaction, {
          content: channel
            ? `Join requests now go to <#${channel.id}>.`
            : "Join requests now go to the channel where they are made.",
          ephemeral: true,
        });
      }
      case "treaty-voters": {
        const who = o.getString("who", true) === "anyone" ? "anyone" : "factions";
        await ctx.factions.updateSettings(guildId, actor, { treatyVoters: who });
        return send(interaction, {
          content: `Treaties that name no parties are now voted on by ${who === "anyone" ? "anyone on the server" : "members of any faction"}.`,
          ephemeral: true,
        });
      }
      default:
        throw new UserError("unknown-subcommand", "That part of /config does not exist any more. Try `/help`.");
    }
  },
  async autocomplete(interaction) {
    await interaction.respond(timeZoneChoices(String(interaction.options.getFocused() ?? "")));
  },
};
