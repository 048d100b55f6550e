import {
  ChannelType,
  type ChatInputCommandInteraction,
  GuildChannel,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
} from "discord.js";
import { presetCron, validateCron, WEEKDAYS, type Weekday } from "../src/council/schedule.js";
import type { AppContext, CommandModule } from "../src/discord/command-module.js";
import { requireAdmin, requireGuild } from "../src/discord/permissions.js";
import { sessionEmbed, statusEmbed } from "../src/discord/render/council-embeds.js";
import { at } from "../src/discord/render/faction-embeds.js";
import { send } from "../src/discord/reply.js";
import { UserError } from "../src/errors.js";
import { isValidTimeZone, timeZoneChoices } from "../src/time/time-zones.js";

const data = new SlashCommandBuilder()
  .setName("council")
  .setDescription("Council sessions of the Khitomer Alliance on this server")
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((sub) =>
    sub
      .setName("schedule")
      .setDescription("Set when and where the council convenes (admins)")
      .addChannelOption((o) =>
        o
          .setName("channel")
          .setDescription("Where sessions are announced")
          .setRequired(true)
          .addChannelTypes(ChannelType.GuildText),
      )
      .addStringOption((o) =>
        o
          .setName("weekday")
          .setDescription("Weekly on this day (with time)")
          .addChoices(...WEEKDAYS.map((d) => ({ name: d, value: d }))),
      )
      .addStringOption((o) =>
        o.setName("time").setDescription("HH:MM, 24-hour, in the time zone (with weekday)").setMaxLength(5),
      )
      .addStringOption((o) =>
        o.setName("cron").setDescription("Or a cron expression, e.g. 0 20 * * 5 (at most hourly)").setMaxLength(60),
      )
      .addStringOption((o) =>
        o
          .setName("timezone")
          .setDescription("IANA time zone (default: the server's, see /config timezone)")
          .setMaxLength(64)
          .setAutocomplete(true),
      )
      .addRoleOption((o) =>
        o.setName("mention").setDescription("A role to mention in announcements (the only mention I make)"),
      )
      .addIntegerOption((o) =>
        o
          .setName("reminder")
          .setDescription("Minutes before a session to post a reminder")
          .setMinValue(5)
          .setMaxValue(7 * 24 * 60),
      )
      .addIntegerOption((o) =>
        o
          .setName("grace")
          .setDescription("Post a session missed by downtime if at most this many minutes late (default 120)")
          .setMinValue(0)
          .setMaxValue(24 * 60),
      )
      .addBooleanOption((o) =>
        o.setName("events").setDescription("Also show each session in the server's Events list"),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("next")
      .setDescription("The next council sessions, in your own time")
      .addIntegerOption((o) =>
        o.setName("count").setDescription("How many (default 5)").setMinValue(1).setMaxValue(10),
      ),
  )
  .addSubcommandGroup((group) =>
    group
      .setName("agenda")
      .setDescription("The agenda of the next session")
      .addSubcommand((sub) => sub.setName("show").setDescription("The agenda as it stands"))
      .addSubcommand((sub) =>
        sub
          .setName("add")
          .setDescription("Add a note to the next session's agenda (admins)")
          .addStringOption((o) => o.setName("note").setDescription("The note").setRequired(true).setMaxLength(300)),
      )
      .addSubcommand((sub) =>
        sub.setName("clear").setDescription("Remove the notes waiting for the next session (admins)"),
      ),
  )
  .addSubcommand((sub) =>
    sub.setName("status").setDescription("Last runs, next run, anything missed and what was done"),
  )
  .addSubcommand((sub) => sub.setName("skip").setDescription("Skip the next session (admins)"))
  .addSubcommand((sub) => sub.setName("pause").setDescription("Pause the schedule (admins)"))
  .addSubcommand((sub) => sub.setName("resume").setDescription("Resume the schedule from now (admins)"))
  .addSubcommand((sub) => sub.setName("cancel").setDescription("Cancel the schedule (admins)"))
  .addSubcommand((sub) => sub.setName("now").setDescription("Convene the council right now (admins)"))
  .toJSON();

async function schedule(interaction: ChatInputCommandInteraction, ctx: AppContext): Promise<void> {
  const guildId = await requireAdmin(interaction, ctx);
  const o = interaction.options;
  const channel = o.getChannel("channel", true);
  const weekday = o.getString("weekday") as Weekday | null;
  const time = o.getString("time");
  const cronInput = o.getString("cron");
  const settings = await ctx.factions.settings(guildId);
  const timeZone = (o.getString("timezone") ?? settings.timezone).trim();
  if (!isValidTimeZone(timeZone))
    throw new UserError("bad-timezone", "That is not a time zone I know. Use an IANA name such as Europe/Berlin.");
  if (cronInput && (weekday || time))
    throw new UserError("both", "Give either a weekday and a time, or a cron expression, not both.");
  if (!cronInput && !(weekday && time))
    throw new UserError("when", "Say when: a weekday and a time (e.g. friday, 20:00), or a cron expression.");
  const when = cronInput
    ? { cron: validateCron(cronInput, timeZone), label: `on cron \`${cronInput.trim()}\`` }
    : presetCron(weekday as Weekday, time as string);

  // The bot must be able to post there, or the first session would fail: say so now, exactly.
  const target = interaction.guild?.channels.cache.get(channel.id);
  const me = interaction.guild?.members.me;
  if (target instanceof GuildChannel && me) {
    const permissions = target.permissionsFor(me);
    const missing = [
      [PermissionFlagsBits.ViewChannel, "View Channel"],
      [PermissionFlagsBits.SendMessages, "Send Messages"],
      [PermissionFlagsBits.EmbedLinks, "Embed Links"],
    ]
      .filter(([flag]) => !permissions.has(flag as bigint))
      .map(([, name]) => name);
    if (missing.length > 0)
      throw new UserError(
        "channel-permissions",
        `I cannot post in <#${channel.id}>: I lack ${missing.join(", ")} there.`,
      );
  }
  const role = o.getRole("mention");
  if (role?.id === guildId)
    throw new UserError("bad-role", "I never mention @everyone. Choose a role for council announcements.");
  const saved = await ctx.council.setSchedule(guildId, interaction.user.id, {
    channelId: channel.id,
    cron: when.cron,
    label: when.label,
    timeZone,
    mentionRoleId: role?.id ?? null,
    reminderMinutes: o.getInteger("reminder"),
    graceMinutes: o.getInteger("grace") ?? 120,
    createEvents: o.getBoolean("events") ?? false,
  });
  const { times } = await ctx.council.next(guildId, 1);
  const notes = [
    role && "mentionable" in role && !role.mentionable
      ? `Note: <@&${role.id}> is not mentionable; make it mentionable or give me Mention All Roles, or the mention will not notify anyone.`
      : "",
    saved.createEvents && !saved.eventId
      ? "I could not create the server event (I need Manage Events); sessions are announced anyway."
      : "",
  ].filter(Boolean);
  await send(interaction, {
    content: `The council convenes ${saved.label} (${timeZone}) in <#${channel.id}>. Next session: ${times[0] ? `${at(times[0], "F")} (${at(times[0], "R")})` : "none"}.${notes.length ? `\n${notes.join("\n")}` : ""}`,
    ephemeral: true,
  });
}

export const council: CommandModule = {
  data,
  async execute(interaction, ctx) {
    const guildId = requireGuild(interaction);
    const group = interaction.options.getSubcommandGroup(false);
    const sub = interaction.options.getSubcommand();
    if (group === "agenda") {
      if (sub === "show") {
        const found = await ctx.council.schedule(guildId);
        const [next] = found?.status === "active" ? (await ctx.council.next(guildId, 1)).times : [];
        const agenda = await ctx.council.agenda(guildId, next ?? ctx.clock.now());
        const embed = found ? sessionEmbed(found, { at: agenda.sessionAt, late: false }, agenda) : undefined;
        if (!embed) throw new UserError("no-schedule", "This server has no council schedule yet.");
        return send(interaction, { embeds: [{ ...embed, title: "Agenda of the next session" }], ephemeral: true });
      }
      await requireAdmin(interaction, ctx);
      if (sub === "add") {
        const waiting = await ctx.council.addNote(
          guildId,
          interaction.user.id,
          interaction.options.getString("note", true),
        );
        return send(interaction, {
          content: `Added. ${waiting} note${waiting === 1 ? " waits" : "s wait"} for the next session.`,
          ephemeral: true,
        });
      }
      const cleared = await ctx.council.clearNotes(guildId);
      return send(interaction, {
        content: `Removed ${cleared} waiting note${cleared === 1 ? "" : "s"}.`,
        ephemeral: true,
      });
    }
    switch (sub) {
      case "schedule":
        return schedule(interaction, ctx);
      case "next": {
        const { schedule: s, times } = await ctx.council.next(guildId, interaction.options.getInteger("count") ?? 5);
        return send(interaction, {
          content:
            times.length > 0
              ? `The council convenes ${s.label}:\n${times.map((t) => `• ${at(t, "F")} (${at(t, "R")})`).join("\n")}`
              : `No upcoming session: the schedule is ${s.status}.`,
          ephemeral: true,
        });
      }
      case "status": {
        const { schedule: s, recent, next } = await ctx.council.status(guildId);
        return send(interaction, { embeds: [statusEmbed(s, recent, next)], ephemeral: true });
      }
      case "skip": {
        await requireAdmin(interaction, ctx);
        const skipped = await ctx.council.skipNext(guildId);
        return send(interaction, { content: `The session of ${at(skipped, "F")} will be skipped.`, ephemeral: true });
      }
      case "pause":
        await requireAdmin(interaction, ctx);
        await ctx.council.pause(guildId);
        return send(interaction, {
          content: "The council schedule is paused. `/council resume` starts it again from then.",
          ephemeral: true,
        });
      case "resume": {
        await requireAdmin(interaction, ctx);
        await ctx.council.resume(guildId);
        const [next] = (await ctx.council.next(guildId, 1)).times;
        return send(interaction, {
          content: `Resumed. Next session: ${next ? at(next, "F") : "none"}.`,
          ephemeral: true,
        });
      }
      case "cancel":
        await requireAdmin(interaction, ctx);
        await ctx.council.cancel(guildId);
        return send(interaction, {
          content: "The council schedule is cancelled. Its history stays in `/council status`.",
          ephemeral: true,
        });
      case "now":
        await requireAdmin(interaction, ctx);
        await ctx.council.conveneNow(guildId);
        return send(interaction, { content: "The council is convened.", ephemeral: true });
      default:
        throw new UserError("unknown-subcommand", "That part of /council does not exist any more. Try `/help`.");
    }
  },
  async autocomplete(interaction) {
    await interaction.respond(timeZoneChoices(String(interaction.options.getFocused() ?? "")));
  },
};
