import { createHash } from "node:crypto";
import { type Client, DiscordAPIError, type MessageCreateOptions, RESTJSONErrorCodes } from "discord.js";
import { NO_MENTIONS } from "./reply.js";

export type PostResult =
  | { ok: true; messageId: string; channelId: string }
  | { ok: false; reason: "missing-channel" | "missing-access" | "failed" };

/**
 * A channel by id, also in a server this process does not hold: timed jobs run in whichever process claims them,
 * and a server on another process's shard is not in this one's cache. Such a channel is read over REST, not cached.
 */
export function anyChannel(client: Client, channelId: string) {
  return client.channels.fetch(channelId, { allowUnknownGuild: true });
}

/** A server by id, also one on another process's shard: read over REST and not cached (see anyChannel). */
export async function anyGuild(client: Client, guildId: string) {
  return client.guilds.cache.get(guildId) ?? client.guilds.fetch({ guild: guildId, cache: false });
}

/**
 * Discord's nonce for a post that must happen once (at most 25 characters): with `enforce_nonce`, Discord answers a
 * second post with the same nonce, within a few minutes, with the first message. So a process that takes over a
 * job from one that died after posting, but before recording the post, does not post again.
 */
export function onceNonce(key: string): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, 25);
}

/**
 * Posts a message to a channel by id, saying plainly why it could not (deleted channel, missing permission).
 * `once` names the post (a council session, a treaty result): posting it again shortly after returns the same
 * message instead of a second one.
 */
export async function postToChannel(
  client: Client,
  channelId: string,
  message: MessageCreateOptions,
  options: { once?: string } = {},
): Promise<PostResult> {
  try {
    const channel = await anyChannel(client, channelId);
    if (!channel?.isSendable()) return { ok: false, reason: "missing-channel" };
    const sent = await channel.send({
      allowedMentions: NO_MENTIONS,
      ...message,
      ...(options.once ? { nonce: onceNonce(options.once), enforceNonce: true } : {}),
    });
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
