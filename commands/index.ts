import { type CommandModule, isCommandModule } from "../src/discord/command-module.js";
import { config } from "./config.js";
import { council } from "./council.js";
import { faction } from "./faction.js";
import { factionAdmin } from "./faction-admin.js";
import { help } from "./help.js";
import { lore } from "./lore.js";
import { treaty } from "./treaty.js";

/** Every command the bot serves and deploy-commands registers: one list, so the two never disagree. */
export const commands: readonly CommandModule[] = [faction, lore, treaty, council, factionAdmin, config, help];

for (const command of commands) {
  if (!isCommandModule(command)) throw new Error("a command module lacks data or execute");
}
