import type { Interaction } from "discord.js";
import { UserError } from "../errors.js";
import type { Outcome } from "../ops/metrics.js";
import type { AppContext, CommandModule, ComponentHandler } from "./command-module.js";
import { deferUpdateIfSlow, respondWithError } from "./reply.js";

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
      // Acknowledged silently if the handler is still busy near Discord's 3 s deadline (a burst of clicks). A
      // modal submitted from a slash command cannot be deferred that way, so it is left alone.
      const cancel =
        interaction.isMessageComponent() || interaction.isFromMessage()
          ? deferUpdateIfSlow(interaction)
          : () => undefined;
      try {
        await handler(interaction, args, ctx);
      } finally {
        cancel();
      }
    }
  }

  return {
    async handle(interaction) {
      const started = performance.now();
      let outcome: Outcome = "ok";
      try {
        await dispatch(interaction);
      } catch (error) {
        outcome = error instanceof UserError ? "user_error" : "error";
        await respondWithError(interaction, error, ctx.log);
      } finally {
        const kind = kindOf(interaction);
        const seconds = (performance.now() - started) / 1000;
        ctx.metrics.interactions.inc({ kind, command: commandOf(interaction), outcome });
        ctx.metrics.latency.observe({ kind }, seconds);
        ctx.log.debug(
          { type: interaction.type, guildId: interaction.guildId, ms: Math.round(seconds * 1000) },
          "interaction handled",
        );
      }
    },
  };
}

function kindOf(interaction: Interaction): string {
  if (interaction.isChatInputCommand()) return "command";
  if (interaction.isAutocomplete()) return "autocomplete";
  if (interaction.isModalSubmit()) return "modal";
  if (interaction.isMessageComponent()) return "component";
  return "other";
}

/** The command, or the custom id's prefix for components: few distinct values, as metric labels must be. */
function commandOf(interaction: Interaction): string {
  if (interaction.isCommand() || interaction.isAutocomplete()) return interaction.commandName;
  if (interaction.isMessageComponent() || interaction.isModalSubmit())
    return parseCustomId(interaction.customId).prefix.slice(0, 40);
  return "";
}
