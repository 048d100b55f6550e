import { type Client, DiscordAPIError, RESTJSONErrorCodes } from "discord.js";
import type { Logger } from "../logging/logger.js";
import type { TreatyPublisher, TreatyView } from "../treaties/treaty-service.js";
import { anyChannel, anyGuild, postToChannel } from "./channel-post.js";
import { resultText, treatyEmbed, voteButtons } from "./render/treaty-embeds.js";
import { NO_MENTIONS } from "./reply.js";

/** Treaty messages on Discord: the proposal with its live tally, and the result. Gone messages are tolerated. */
export function discordTreatyPublisher(client: Client, log: Logger): TreatyPublisher {
  async function editProposal(view: TreatyView): Promise<boolean> {
    const { channelId, messageId } = view.treaty;
    if (!messageId) return false;
    try {
      const channel = await anyChannel(client, channelId);
      if (!channel?.isTextBased()) return false;
      await channel.messages.edit(messageId, {
        embeds: [treatyEmbed(view)],
        components: voteButtons(view),
        allowedMentions: NO_MENTIONS,
      });
      return true;
    } catch (error) {
      if (
        error instanceof DiscordAPIError &&
        [
          RESTJSONErrorCodes.UnknownMessage,
          RESTJSONErrorCodes.UnknownChannel,
          RESTJSONErrorCodes.MissingAccess,
        ].includes(error.code as number)
      ) {
        log.info({ treaty: view.treaty.id, code: error.code }, "treaty message or channel is gone");
        return false;
      }
      throw error;
    }
  }

  return {
    async proposal(view) {
      const result = await postToChannel(
        client,
        view.treaty.channelId,
        {
          embeds: [treatyEmbed(view)],
          components: voteButtons(view),
        },
        { once: `treaty:${view.treaty.id}:proposal` },
      );
      return result.ok ? { channelId: result.channelId, messageId: result.messageId } : null;
    },
    async tally(view) {
      await editProposal(view);
    },
    async result(view) {
      await editProposal(view);
      const content = resultText(view);
      const inChannel = await postToChannel(
        client,
        view.treaty.channelId,
        {
          content,
          ...(view.treaty.messageId
            ? { reply: { messageReference: view.treaty.messageId, failIfNotExists: false } }
            : {}),
        },
        { once: `treaty:${view.treaty.id}:result` },
      );
      if (inChannel.ok) return { resultMessageId: inChannel.messageId };
      // The channel is gone or closed to us: report where the server's admins will see it.
      const guild = await anyGuild(client, view.treaty.guildId).catch(() => null);
      const fallback = guild?.systemChannelId;
      if (!fallback) return { resultMessageId: null };
      const posted = await postToChannel(
        client,
        fallback,
        {
          content: `${content}\n(The channel where it was proposed is no longer available.)`,
        },
        { once: `treaty:${view.treaty.id}:result-elsewhere` },
      );
      return { resultMessageId: posted.ok ? posted.messageId : null };
    },
  };
}
