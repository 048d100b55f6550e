import { DiscordAPIError, DiscordjsErrorCodes, REST, type RESTGetAPIGatewayBotResult, Routes } from "discord.js";
import type { Config } from "../config/config.js";

export interface ShardList {
  ids: number[];
  count: number;
}

/**
 * This machine's shards: the SHARD_IDS slice of SHARD_COUNT, every shard of SHARD_COUNT, or with neither set
 * every shard of the count Discord recommends, asked once here so that all shard groups agree on it.
 */
export async function resolveShards(config: Config, token: string): Promise<ShardList> {
  if (config.shards !== "auto") return config.shards;
  const count = await recommendedShardCount(config.discordApiBase, token);
  return { ids: Array.from({ length: count }, (_, i) => i), count };
}

async function recommendedShardCount(api: string, token: string): Promise<number> {
  const rest = new REST({ api }).setToken(token);
  try {
    const gateway = (await rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
    return gateway.shards;
  } catch (error) {
    // What discord.js's login says (and its code) for the same answer, so a wrong token reads the same either way.
    if (error instanceof DiscordAPIError && error.status === 401)
      throw Object.assign(new Error("An invalid token was provided."), { code: DiscordjsErrorCodes.TokenInvalid });
    throw error;
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}
