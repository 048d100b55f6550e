import type { Interaction } from "discord.js";
import { UserError } from "../errors.js";
import type { AppContext, CommandModule, ComponentHandler } from "./command-module.js";
import { respondWithError } from "./reply.js";

export interface InteractionRouter {
  handle(interaction: Interaction): Promise<void>;
}

/** Custom ids are "<prefix>:<arg>:<arg>"; the prefix picks the handler. */
export function parseCustomId(customId: string): { prefix: string; args: string[] } {
  const [prefix = "", ...args] = customId.split(":");
  return { prefix, args };
}

/**
 * Routes every interaction to its command module. Each interaction is handled in its own try/catch: one failing
 * handler answers that member with an apology and the bot keeps serving everyone else.
 */
export function createInteractionRouter(commands: readonly CommandModule[], ctx: AppContext): InteractionRouter {
  const byName = new Map<string, CommandModule>();
  const byPrefix = new Map<string, ComponentHandler>();
  for (const command of commands) {
    if (byName.has(command.data.name)) throw new Error(`two command modules are named ${command.data.name}`);
    byName.set(command.data.name, command);
    for (const [prefix, handler] of Object.entries(command.components ?? {})) {
      if (byPrefix.has(prefix)) throw new Error(`two command modules handle the custom id prefix ${prefix}`);
      byPrefix.set(prefix, handler);
    }
  }

  async function dispatch(interaction: Interaction): Promise<void> {
    if (interaction.isChatInputCommand()) {
      const command = byName.get(interaction.commandName);
      if (!command) throw new UserError("unknown-command", "This command is not available any more. Try `/help`.");
      await command.execute(interaction, ctx);
    } else if (interaction.isAutocomplete()) {
      const command = byName.get(interaction.commandName);
      if (command?.autocomplete) await command.autocomplete(interaction, ctx);
      else await interaction.respond([]);
    } else if (interaction.isMessageComponent() || interaction.isModalSubmit()) {
      const { prefix, args } = parseCustomId(interaction.customId);
      const handler = byPrefix.get(prefix);
      if (!handler)
        throw new UserError(
          "stale-component",
          "This button belongs to something that no longer exists. Run the command again.",
        );
      await handler(interaction, args, ctx);
    }
  }

  return {
    async handle(interaction) {
      const started = performance.now();
      try {
        await dispatch(interaction);
      } catch (error) {
        await respondWithError(interaction, error, ctx.log);
      } finally {
        ctx.log.debug(
          { type: interaction.type, guildId: interaction.guildId, ms: Math.round(performance.now() - started) },
          "interaction handled",
        );
      }
    },
  };
}
