import { type Client, Events } from "discord.js";
import type { AppContext } from "./command-module.js";

/**
 * Members leaving or rejoining a server keep their faction history; rosters count only those present. Events cover
 * the running bot; a reconcile after each start covers whoever came or went while it was down.
 */
export function registerMemberEvents(client: Client, ctx: AppContext): void {
  const guard = (what: string, task: Promise<unknown>) =>
    task.catch((error: unknown) => ctx.log.error({ err: error }, `${what} failed`));

  client.on(Events.GuildMemberRemove, (member) => {
    void guard("member departure", ctx.factions.memberLeftServer(member.guild.id, member.id));
  });
  client.on(Events.GuildMemberAdd, (member) => {
    void guard("member return", ctx.factions.memberReturned(member.guild.id, member.id));
  });
  client.once(Events.ClientReady, () => {
    void guard("reconcile", reconcileAll(client, ctx));
  });
}

async function reconcileAll(client: Client, ctx: AppContext): Promise<void> {
  for (const guildId of await ctx.factions.guildsWithMembers()) {
    if (!client.guilds.cache.has(guildId)) continue;
    const result = await ctx.factions.reconcile(guildId);
    if (result.departed + result.returned > 0) ctx.log.info({ guildId, ...result }, "reconciled members after start");
  }
}
