import { type Client, DiscordAPIError, type MessageCreateOptions, RESTJSONErrorCodes } from "discord.js";
import { NO_MENTIONS } from "./reply.js";

export type PostResult =
  | { ok: true; messageId: string; channelId: string }
  | { ok: false; reason: "missing-channel" | "missing-access" | "failed" };

/** Posts a message to a channel by id, saying plainly why it could not (deleted channel, missing permission). */
export async function postToChannel(
  client: Client,
  channelId: string,
  message: MessageCreateOptions,
): Promise<PostResult> {
  try {
    const channel = await client.channels.fetch(channelId);
    if (!channel?.isSendable()) return { ok: false, reason: "missing-channel" };
    const sent = await channel.send({ allowedMentions: NO_MENTIONS, ...message });
    return { ok: true, messageId: sent.id, channelId };
  } catch (error) {
    if (error instanceof DiscordAPIError) {
      if (error.code === RESTJSONErrorCodes.UnknownChannel) return { ok: false, reason: "missing-channel" };
      if (error.code === RESTJSONErrorCodes.MissingAccess || error.code === RESTJSONErrorCodes.MissingPermissions)
        return { ok: false, reason: "missing-access" };
    }
    return { ok: false, reason: "failed" };
  }
}

/** A direct message; false when the member does not accept DMs from the bot. */
export async function sendDirect(client: Client, userId: string, message: MessageCreateOptions): Promise<boolean> {
  try {
    const user = await client.users.fetch(userId);
    await user.send({ allowedMentions: NO_MENTIONS, ...message });
    return true;
  } catch {
    return false;
  }
}
