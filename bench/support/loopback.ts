import { LoopbackDiscord } from "../../test/loopback/server.js";
import { BENCH_GUILD_ID } from "../corpus/entries.js";

export const CHANNEL_ID = "900000000000000002";
export const OWNER_ID = "900000000000000003";

export interface BenchWorld {
  discord: LoopbackDiscord;
  guildId: string;
  channelId: string;
  ownerId: string;
  /** Member ids besides the owner, as many as asked for. */
  members: string[];
}

/** One server (the bench server the synthetic lore belongs to), a #council channel, its owner and `members`. */
export async function startWorld(members = 0): Promise<BenchWorld> {
  const ids = Array.from({ length: members }, (_, i) => String(910_000_000_000_000_000n + BigInt(i)));
  const discord = await LoopbackDiscord.start({
    guilds: [
      {
        id: BENCH_GUILD_ID,
        name: "Khitomer Bench Fleet",
        ownerId: OWNER_ID,
        channels: [{ id: CHANNEL_ID, name: "council" }],
        members: [
          { user: { id: OWNER_ID, username: "admiral" } },
          ...ids.map((id, i) => ({ user: { id, username: `member-${i}` } })),
        ],
      },
    ],
  });
  return { discord, guildId: BENCH_GUILD_ID, channelId: CHANNEL_ID, ownerId: OWNER_ID, members: ids };
}
