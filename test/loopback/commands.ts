/**
 * Application command registration as Discord stores it: ids stay stable for
 * the same name+type across bulk overwrites, and definitions are validated
 * with Discord's rules so a deploy that Discord would reject fails here too.
 */

import type { APIApplicationCommand, APIApplicationCommandOption } from "discord.js";
import { ApplicationCommandOptionType, ApplicationCommandType } from "discord.js";
import { discordErrors } from "./errors.js";
import type { JsonObject } from "./json.js";
import { arrayField, isObject, objectArray, stringField } from "./json.js";
import { snowflake } from "./snowflake.js";

const GLOBAL = "global";
const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

export class CommandRegistry {
  private readonly scopes = new Map<string, Map<string, APIApplicationCommand>>();

  constructor(private readonly applicationId: string) {}

  list(guildId?: string): APIApplicationCommand[] {
    return [...this.scope(guildId).values()];
  }

  get(commandId: string, guildId?: string): APIApplicationCommand {
    const command = this.scope(guildId).get(commandId);
    if (!command) throw discordErrors.unknownCommand();
    return command;
  }

  /** Guild commands shadow global ones of the same name, as in the Discord client. */
  find(name: string, guildId?: string): APIApplicationCommand | undefined {
    const byName = (scope: Map<string, APIApplicationCommand>) =>
      [...scope.values()].find((command) => command.name === name);
    return (guildId ? byName(this.scope(guildId)) : undefined) ?? byName(this.scope());
  }

  overwrite(bodies: unknown, guildId?: string): APIApplicationCommand[] {
    if (!Array.isArray(bodies)) throw discordErrors.invalidFormBody("_root", "BASE_TYPE_ARRAY", "Must be an array.");
    const definitions = bodies.map((body, index) => validateCommand(body, `${index}.`));
    assertUniqueNames(definitions);
    const previous = this.scope(guildId);
    const next = new Map<string, APIApplicationCommand>();
    for (const definition of definitions) {
      const existing = [...previous.values()].find((command) => sameCommand(command, definition));
      const command = this.toCommand(definition, guildId, existing?.id);
      next.set(command.id, command);
    }
    this.scopes.set(guildId ?? GLOBAL, next);
    return [...next.values()];
  }

  /** POST upserts by name+type, like Discord's create endpoint. */
  upsert(body: unknown, guildId?: string): { command: APIApplicationCommand; created: boolean } {
    const definition = validateCommand(body, "");
    const scope = this.scope(guildId);
    const existing = [...scope.values()].find((command) => sameCommand(command, definition));
    const command = this.toCommand(definition, guildId, existing?.id);
    scope.set(command.id, command);
    this.scopes.set(guildId ?? GLOBAL, scope);
    return { command, created: existing === undefined };
  }

  edit(commandId: string, body: unknown, guildId?: string): APIApplicationCommand {
    const current = this.get(commandId, guildId);
    const definition = validateCommand({ ...current, ...(isObject(body) ? body : {}) }, "");
    const command = this.toCommand(definition, guildId, commandId);
    this.scope(guildId).set(commandId, command);
    return command;
  }

  delete(commandId: string, guildId?: string): void {
    this.get(commandId, guildId);
    this.scope(guildId).delete(commandId);
  }

  private scope(guildId?: string): Map<string, APIApplicationCommand> {
    return this.scopes.get(guildId ?? GLOBAL) ?? new Map();
  }

  private toCommand(
    definition: JsonObject,
    guildId: string | undefined,
    id: string | undefined,
  ): APIApplicationCommand {
    const permissions = definition.default_member_permissions;
    return {
      id: id ?? snowflake(),
      application_id: this.applicationId,
      version: snowflake(),
      type: commandType(definition),
      name: stringField(definition, "name") ?? "",
      name_localizations: isObject(definition.name_localizations) ? definition.name_localizations : null,
      description: stringField(definition, "description") ?? "",
      description_localizations: isObject(definition.description_localizations)
        ? definition.description_localizations
        : null,
      default_member_permissions: permissions === null || permissions === undefined ? null : String(permissions),
      nsfw: definition.nsfw === true,
      integration_types: Array.isArray(definition.integration_types) ? definition.integration_types : [0],
      contexts: Array.isArray(definition.contexts) ? definition.contexts : null,
      dm_permission: definition.dm_permission !== false,
      ...(guildId ? { guild_id: guildId } : {}),
      // JSON boundary: validated option trees are stored as sent.
      ...(Array.isArray(definition.options) ? { options: definition.options as APIApplicationCommandOption[] } : {}),
    };
  }
}

function commandType(definition: JsonObject): ApplicationCommandType {
  const type = definition.type;
  return type === ApplicationCommandType.User || type === ApplicationCommandType.Message
    ? type
    : ApplicationCommandType.ChatInput;
}

function sameCommand(command: APIApplicationCommand, definition: JsonObject): boolean {
  return command.name === definition.name && command.type === commandType(definition);
}

function assertUniqueNames(definitions: JsonObject[]): void {
  const seen = new Set<string>();
  definitions.forEach((definition, index) => {
    const key = `${commandType(definition)}:${String(definition.name)}`;
    if (seen.has(key)) {
      throw discordErrors.invalidFormBody(
        `${index}.name`,
        "APPLICATION_COMMANDS_DUPLICATE_NAME",
        "Application command names must be unique",
      );
    }
    seen.add(key);
  });
}

function validateCommand(body: unknown, path: string): JsonObject {
  if (!isObject(body)) {
    throw discordErrors.invalidFormBody(
      path ? path.slice(0, -1) : "_root",
      "MODEL_TYPE_CONVERT",
      "Only dictionaries may be used in a ModelType",
    );
  }
  const type = commandType(body);
  const name = stringField(body, "name") ?? "";
  if (type === ApplicationCommandType.ChatInput) {
    validateName(name, `${path}name`);
    validateDescription(stringField(body, "description"), `${path}description`);
  } else {
    if (name.length < 1 || name.length > 32)
      throw discordErrors.invalidFormBody(`${path}name`, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.");
    if (stringField(body, "description")) {
      throw discordErrors.invalidFormBody(
        `${path}description`,
        "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
        "Context menu commands cannot have description",
      );
    }
  }
  validateOptions(arrayField(body, "options"), `${path}options`);
  return body;
}

function validateName(name: string, path: string): void {
  if (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase()) {
    throw discordErrors.invalidFormBody(path, "APPLICATION_COMMAND_INVALID_NAME", `Command name is invalid`);
  }
}

function validateDescription(description: string | undefined, path: string): void {
  if (!description || description.length > 100) {
    throw discordErrors.invalidFormBody(path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
  }
}

function validateOptions(options: unknown[] | undefined, path: string): void {
  if (!options) return;
  if (options.length > 25)
    throw discordErrors.invalidFormBody(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
  let sawOptional = false;
  const names = new Set<string>();
  objectArray(options).forEach((option, index) => {
    const at = `${path}.${index}`;
    const name = stringField(option, "name") ?? "";
    validateName(name, `${at}.name`);
    validateDescription(stringField(option, "description"), `${at}.description`);
    if (names.has(name))
      throw discordErrors.invalidFormBody(
        `${at}.name`,
        "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
        "Option names must be unique",
      );
    names.add(name);
    const nested =
      option.type === ApplicationCommandOptionType.Subcommand ||
      option.type === ApplicationCommandOptionType.SubcommandGroup;
    if (!nested) {
      if (option.required === true && sawOptional) {
        throw discordErrors.invalidFormBody(
          `${at}.required`,
          "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
          "Required options must be placed before non-required options",
        );
      }
      sawOptional ||= option.required !== true;
    }
    const choices = arrayField(option, "choices");
    if (choices && choices.length > 25)
      throw discordErrors.invalidFormBody(`${at}.choices`, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
    if (choices && option.autocomplete === true) {
      throw discordErrors.invalidFormBody(
        `${at}.autocomplete`,
        "APPLICATION_COMMAND_OPTIONS_AUTOCOMPLETE_CHOICES",
        "Autocomplete cannot be set with choices",
      );
    }
    validateOptions(arrayField(option, "options"), `${at}.options`);
  });
}
