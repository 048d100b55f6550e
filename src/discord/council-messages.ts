import {
  type Client,
  DiscordAPIError,
  GuildScheduledEventEntityType,
  GuildScheduledEventPrivacyLevel,
  RESTJSONErrorCodes,
} from "discord.js";
import type { CouncilPublisher, PostResult } from "../council/council-service.js";
import type { Logger } from "../logging/logger.js";
import { anyGuild, postToChannel, sendDirect } from "./channel-post.js";
import { reminderText, sessionEmbed } from "./render/council-embeds.js";

const EVENT_LENGTH_MS = 60 * 60_000;

/** The council on Discord: announcements (the one place a role may be mentioned), alerts, scheduled events. */
export function discordCouncilPublisher(client: Client, log: Logger): CouncilPublisher {
  const asResult = (result: Awaited<ReturnType<typeof postToChannel>>): PostResult =>
    result.ok ? { ok: true, messageId: result.messageId } : { ok: false, reason: result.reason };

  return {
    async announce(schedule, session, agenda) {
      const role = schedule.mentionRoleId;
      return asResult(
        await postToChannel(
          client,
          schedule.channelId,
          {
            ...(role ? { content: `<@&${role}>` } : {}),
            embeds: [sessionEmbed(schedule, session, agenda)],
            // The only mention Khitomer ever makes: the role an admin chose for council announcements.
            allowedMentions: { parse: [], roles: role ? [role] : [] },
          },
          { once: session.once },
        ),
      );
    },
    async remind(schedule, sessionAt, once) {
      return asResult(await postToChannel(client, schedule.channelId, { content: reminderText(sessionAt) }, { once }));
    },
    async alertAdmins(schedule, text) {
      const here = await postToChannel(client, schedule.channelId, { content: `⚠️ ${text}` });
      if (here.ok) return;
      const guild = await anyGuild(client, schedule.guildId).catch(() => null);
      const system = guild?.systemChannelId;
      if (system && system !== schedule.channelId) {
        const there = await postToChannel(client, system, { content: `⚠️ ${text}` });
        if (there.ok) return;
      }
      // No channel to write in: the admin who set the schedule hears it directly.
      const guildName = guild?.name ?? "your server";
      if (await sendDirect(client, schedule.createdBy, { content: `⚠️ On ${guildName}: ${text}` })) return;
      log.warn({ guildId: schedule.guildId, text }, "could not tell the admins about a council problem");
    },
    async upsertEvent(schedule, at) {
      try {
        const guild = await anyGuild(client, schedule.guildId);
        const fields = {
          name: "Khitomer Council session",
          scheduledStartTime: at,
          scheduledEndTime: new Date(at.getTime() + EVENT_LENGTH_MS),
          privacyLevel: GuildScheduledEventPrivacyLevel.GuildOnly,
          entityType: GuildScheduledEventEntityType.External,
          entityMetadata: { location: "Khitomer (the council channel)" },
          description: `The Alliance council meets ${schedule.label} (${schedule.timeZone}).`,
        } as const;
        if (schedule.eventId) {
          const moved = await guild.scheduledEvents.edit(schedule.eventId, fields).catch((error: unknown) => {
            if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownGuildScheduledEvent)
              return null;
            throw error;
          });
          if (moved) return moved.id;
        }
        return (await guild.scheduledEvents.create(fields)).id;
      } catch (error) {
        log.warn({ err: error, guildId: schedule.guildId }, "could not create the council's scheduled event");
        return null;
      }
    },
    async deleteEvent(guildId, eventId) {
      const guild = await anyGuild(client, guildId);
      await guild.scheduledEvents.delete(eventId).catch((error: unknown) => {
        if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownGuildScheduledEvent) return;
        throw error;
      });
    },
  };
}
