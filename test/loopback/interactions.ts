/**
 * INTERACTION_CREATE payload factories shaped as Discord sends them to a
 * guild. Pass the LoopbackDiscord as `discord` so ids, members, roles,
 * channels and permissions come from seeded state; dispatch the result with
 * `discord.interact(payload)`.
 */
import { randomBytes } from "node:crypto";
import type {
  APIApplicationCommand,
  APIApplicationCommandAutocompleteGuildInteraction,
  APIApplicationCommandInteractionDataOption,
  APIChatInputApplicationCommandGuildInteraction,
  APIGuildMember,
  APIInteractionDataResolved,
  APIInteractionGuildMember,
  APIMessage,
  APIMessageComponentGuildInteraction,
  APIModalSubmissionComponent,
  APIModalSubmitGuildInteraction,
  APIRole,
  APIUser,
  Locale,
} from "discord.js";
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ComponentType,
  InteractionType,
  PermissionFlagsBits,
  PermissionsBitField,
} from "discord.js";
import type { GuildChannelPayload } from "./api-objects.js";
import type { JsonObject } from "./json.js";
import { asObject, isObject, objectArray, stringField } from "./json.js";
import { snowflake } from "./snowflake.js";

/** Where fixtures look up seeded state. LoopbackDiscord implements it; a bare `{ applicationId }` also works. */
export interface FixtureDirectory {
  readonly applicationId: string;
  readonly botUser?: APIUser;
  userObject?(userId: string): APIUser | undefined;
  memberObject?(guildId: string, userId: string): APIGuildMember | undefined;
  channelObject?(channelId: string): GuildChannelPayload | undefined;
  roleObject?(guildId: string, roleId: string): APIRole | undefined;
  permissionsOf?(guildId: string, userId: string): bigint | undefined;
  guildLocale?(guildId: string): string | undefined;
}

export interface FixtureUser {
  id: string;
  username: string;
  globalName?: string | null;
}

/** A member of the default guild who is not the owner: the usual "someone typed a command". */
export const DEFAULT_FIXTURE_USER: FixtureUser = {
  id: "200000000000000001",
  username: "test-user",
  globalName: "Test User",
};

export interface BaseFixtureOptions {
  discord: FixtureDirectory;
  guildId: string;
  channelId: string;
  /** Invoking user: an object, or the id of a seeded member. */
  user?: FixtureUser | string;
  /** Member roles; default the seeded member's roles. */
  roles?: string[];
  /** Default: computed from roles (incl. @everyone) in seeded state. */
  memberPermissions?: bigint | string;
  /** The bot's permissions in the channel; default computed for the bot. */
  appPermissions?: bigint | string;
  locale?: `${Locale}`;
}

export type OptionValue = string | number | boolean;
export type RawOption = APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommand>;
type AutocompleteOption = APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommandAutocomplete>;

/** A registered definition (`discord.command(name)`) or the JSON body that was deployed. */
export type CommandDefinition = Pick<APIApplicationCommand, "name"> &
  Partial<Pick<APIApplicationCommand, "id" | "guild_id" | "options">>;

export interface CommandFixtureOptions extends BaseFixtureOptions {
  /** Required unless `command` is given. */
  name?: string;
  /** Supplies option types (and the command id); required when `options` is a plain record. */
  command?: CommandDefinition;
  subcommandGroup?: string;
  subcommand?: string;
  /** Either `{ optionName: value }` typed via `command`, or raw options exactly as Discord sends them. */
  options?: Record<string, OptionValue> | RawOption[];
}

export interface AutocompleteFixtureOptions extends Omit<CommandFixtureOptions, "options"> {
  /** Options already filled in, typed via `command`. */
  options?: Record<string, OptionValue>;
  /** Name of the option being typed into. */
  focused: string;
  /** What the user has typed so far. */
  value: string;
}

export interface ComponentFixtureOptions extends Omit<BaseFixtureOptions, "channelId"> {
  customId: string;
  /** The message the component sits on, e.g. `handle.original()` from an earlier interaction. */
  message: APIMessage;
  /** Default: the message's channel. */
  channelId?: string;
}

export interface SelectFixtureOptions extends ComponentFixtureOptions {
  values: string[];
}

export interface ModalFixtureOptions extends BaseFixtureOptions {
  /** Default: the modal's custom_id when `modal` is given. */
  customId?: string;
  /** Values by component custom_id (string[] for selects inside labels). */
  fields: Record<string, string | string[]>;
  /** The bot's type-9 callback data; the submission mirrors its layout (action rows or labels). */
  modal?: JsonObject;
  /** Set when the modal was opened from a component on a message. */
  message?: APIMessage;
}

export function chatInput(options: CommandFixtureOptions): APIChatInputApplicationCommandGuildInteraction {
  const name = commandName(options);
  const path = commandPath(options);
  const resolved: APIInteractionDataResolved = {};
  const leafOptions = Array.isArray(options.options)
    ? options.options
    : typedOptions(options, leafDefinitions(options.command, path), options.options ?? {}, resolved, {
        checkRequired: true,
      });
  const data = {
    id: options.command?.id ?? snowflake(),
    name,
    type: ApplicationCommandType.ChatInput as const,
    ...(options.command?.guild_id ? { guild_id: options.command.guild_id } : {}),
    ...optionsField(nestOptions(path, leafOptions)),
    ...(Object.keys(resolved).length ? { resolved } : {}),
  };
  return { ...base(options, InteractionType.ApplicationCommand), data };
}

export function autocomplete(options: AutocompleteFixtureOptions): APIApplicationCommandAutocompleteGuildInteraction {
  const path = commandPath(options);
  const definitions = leafDefinitions(options.command, path);
  const focusedDefinition = definitions?.find((option) => option.name === options.focused);
  if (definitions && !focusedDefinition)
    throw new Error(`fixture: /${commandName(options)} has no option "${options.focused}"`);
  const filled = typedOptions(options, definitions, options.options ?? {}, {}, { checkRequired: false });
  // Discord sends the partial input as a string whatever the option's type.
  const focused = {
    name: options.focused,
    type: focusedDefinition?.type ?? ApplicationCommandOptionType.String,
    value: options.value,
    focused: true,
  };
  const data = {
    id: options.command?.id ?? snowflake(),
    name: commandName(options),
    type: ApplicationCommandType.ChatInput as const,
    ...(options.command?.guild_id ? { guild_id: options.command.guild_id } : {}),
    // JSON boundary: autocomplete options are command options plus one focused (string-valued) entry.
    options: nestOptions(path, [...filled, focused as RawOption]) as unknown as AutocompleteOption[],
  };
  return { ...base(options, InteractionType.ApplicationCommandAutocomplete), data };
}

export function button(options: ComponentFixtureOptions): APIMessageComponentGuildInteraction {
  requireComponent(options.message, options.customId, [ComponentType.Button]);
  return componentPayload(options, { custom_id: options.customId, component_type: ComponentType.Button });
}

export function stringSelect(options: SelectFixtureOptions): APIMessageComponentGuildInteraction {
  const select = requireComponent(options.message, options.customId, [ComponentType.StringSelect]);
  const allowed = new Set(objectArray(select.options).map((option) => String(option.value)));
  const unknown = options.values.filter((value) => !allowed.has(value));
  if (unknown.length) throw new Error(`fixture: select "${options.customId}" has no option(s) ${unknown.join(", ")}`);
  return componentPayload(options, {
    custom_id: options.customId,
    component_type: ComponentType.StringSelect,
    values: options.values,
  });
}

export function modalSubmit(options: ModalFixtureOptions): APIModalSubmitGuildInteraction {
  const customId = options.customId ?? stringField(options.modal ?? {}, "custom_id");
  if (!customId) throw new Error("fixture: modalSubmit needs customId or modal");
  const components = options.modal ? mirrorModal(options.modal, options.fields) : actionRows(options.fields);
  return {
    ...base(options, InteractionType.ModalSubmit),
    data: { custom_id: customId, components },
    ...(options.message ? { message: options.message } : {}),
  };
}

// --- shared payload ----------------------------------------------------------

function base<T extends InteractionType>(options: BaseFixtureOptions, type: T) {
  const { discord, guildId, channelId } = options;
  const id = snowflake();
  const member = invokingMember(options);
  const botId = discord.botUser?.id ?? discord.applicationId;
  const appPermissions =
    options.appPermissions ?? discord.permissionsOf?.(guildId, botId) ?? PermissionsBitField.Default;
  const guildLocale = (discord.guildLocale?.(guildId) ?? "en-US") as Locale;
  return {
    id,
    application_id: discord.applicationId,
    type,
    guild_id: guildId,
    guild: { id: guildId, locale: guildLocale, features: [] },
    channel: interactionChannel(discord, channelId, guildId, member.permissions),
    channel_id: channelId,
    member,
    // Real tokens are base64 of "interaction:<id>:<secret>"; only the server that minted it accepts it.
    token: Buffer.from(`interaction:${id}:${randomBytes(48).toString("base64url")}`).toString("base64url"),
    version: 1 as const,
    app_permissions: String(appPermissions),
    locale: (options.locale ?? "en-US") as Locale,
    guild_locale: guildLocale,
    entitlements: [],
    authorizing_integration_owners: { "0": guildId },
    context: 0,
    attachment_size_limit: 10_485_760,
  };
}

function invokingUserId(options: BaseFixtureOptions): string {
  return typeof options.user === "string" ? options.user : (options.user ?? DEFAULT_FIXTURE_USER).id;
}

function invokingMember(options: BaseFixtureOptions): APIInteractionGuildMember {
  const { discord, guildId } = options;
  const userId = invokingUserId(options);
  const seeded = discord.memberObject?.(guildId, userId);
  const user = fixtureUser(discord, options.user ?? DEFAULT_FIXTURE_USER);
  const roles = options.roles ?? seeded?.roles ?? [];
  return {
    avatar: null,
    banner: null,
    communication_disabled_until: null,
    deaf: false,
    mute: false,
    flags: seeded?.flags ?? (0 as APIGuildMember["flags"]),
    joined_at: seeded?.joined_at ?? new Date().toISOString(),
    nick: seeded?.nick ?? null,
    pending: false,
    premium_since: null,
    roles,
    user,
    permissions: String(
      options.memberPermissions ?? memberPermissions(discord, guildId, userId, roles, options.roles !== undefined),
    ),
  };
}

function fixtureUser(discord: FixtureDirectory, user: FixtureUser | string): APIUser {
  const id = typeof user === "string" ? user : user.id;
  const known = discord.userObject?.(id);
  if (known) return known;
  if (typeof user === "string") return syntheticUser(id);
  return { ...syntheticUser(user.id), username: user.username, global_name: user.globalName ?? null };
}

function syntheticUser(id: string): APIUser {
  return {
    id,
    username: `user-${id.slice(-4)}`,
    discriminator: "0",
    global_name: null,
    avatar: null,
    public_flags: 0 as APIUser["flags"],
    flags: 0 as APIUser["flags"],
  };
}

/** Guild-level permissions: seeded state when roles are the seeded ones, else @everyone + given roles. */
function memberPermissions(
  discord: FixtureDirectory,
  guildId: string,
  userId: string,
  roles: string[],
  rolesOverridden: boolean,
): bigint {
  if (!rolesOverridden) {
    const seeded = discord.permissionsOf?.(guildId, userId);
    if (seeded !== undefined) return seeded;
  }
  const everyone = discord.roleObject?.(guildId, guildId);
  let bits = everyone ? BigInt(everyone.permissions) : PermissionsBitField.Default;
  for (const roleId of roles) bits |= BigInt(discord.roleObject?.(guildId, roleId)?.permissions ?? 0);
  return bits & PermissionFlagsBits.Administrator ? PermissionsBitField.All : bits;
}

/** The partial channel Discord attaches, with the invoking member's permissions in it. */
function interactionChannel(discord: FixtureDirectory, channelId: string, guildId: string, permissions: string) {
  const channel = discord.channelObject?.(channelId);
  if (!channel)
    return {
      id: channelId,
      type: 0,
      name: "channel",
      guild_id: guildId,
      flags: 0,
      permissions,
      nsfw: false,
      position: 0,
      parent_id: null,
      topic: null,
      last_message_id: null,
      rate_limit_per_user: 0,
    };
  // Interaction channels are partial: no overwrites (sending [] would wipe discord.js's cached ones).
  const { permission_overwrites: _overwrites, ...partial } = channel;
  return { ...partial, guild_id: guildId, permissions };
}

function componentPayload(
  options: ComponentFixtureOptions,
  data: APIMessageComponentGuildInteraction["data"],
): APIMessageComponentGuildInteraction {
  const channelId = options.channelId ?? options.message.channel_id;
  return { ...base({ ...options, channelId }, InteractionType.MessageComponent), data, message: options.message };
}

function requireComponent(message: APIMessage, customId: string, types: ComponentType[]): JsonObject {
  const found = findComponent(objectArray(message.components), customId);
  if (!found) throw new Error(`fixture: message ${message.id} has no component with custom_id "${customId}"`);
  if (!types.includes(found.type as ComponentType))
    throw new Error(`fixture: component "${customId}" is type ${String(found.type)}`);
  return found;
}

function findComponent(components: JsonObject[], customId: string): JsonObject | undefined {
  for (const component of components) {
    if (component.custom_id === customId) return component;
    const nested = [
      ...objectArray(component.components),
      ...[component.accessory, component.component].filter(isObject),
    ];
    const found = findComponent(nested, customId);
    if (found) return found;
  }
  return undefined;
}

// --- command options ---------------------------------------------------------

interface OptionDefinition {
  name: string;
  type: ApplicationCommandOptionType;
  required?: boolean;
  choices?: { value: OptionValue }[];
  options?: OptionDefinition[];
}

function commandName(options: CommandFixtureOptions | AutocompleteFixtureOptions): string {
  const name = options.command?.name ?? options.name;
  if (!name) throw new Error("fixture: pass `name` or `command`");
  return name;
}

function commandPath(options: CommandFixtureOptions | AutocompleteFixtureOptions): string[] {
  if (options.subcommandGroup && !options.subcommand) throw new Error("fixture: a subcommand group needs a subcommand");
  return [options.subcommandGroup, options.subcommand].filter((part): part is string => part !== undefined);
}

/** Option definitions of the leaf (sub)command, or undefined when no definition was given. */
function leafDefinitions(command: CommandDefinition | undefined, path: string[]): OptionDefinition[] | undefined {
  if (!command) return undefined;
  // JSON boundary: definitions may be API objects or deploy bodies; both carry name/type/options.
  let level = (command.options ?? []) as unknown as OptionDefinition[];
  for (const part of path) {
    const next = level.find((option) => option.name === part);
    if (!next) throw new Error(`fixture: /${command.name} has no subcommand (group) "${part}"`);
    level = next.options ?? [];
  }
  return level;
}

function typedOptions(
  context: BaseFixtureOptions,
  definitions: OptionDefinition[] | undefined,
  values: Record<string, OptionValue>,
  resolved: APIInteractionDataResolved,
  mode: { checkRequired: boolean },
): RawOption[] {
  const entries = Object.entries(values);
  if (entries.length && !definitions)
    throw new Error("fixture: pass `command` to type named options, or pass raw options");
  if (mode.checkRequired) {
    const missing = (definitions ?? [])
      .filter((d) => d.required && !(d.name in values) && d.type > 2)
      .map((d) => d.name);
    if (missing.length) throw new Error(`fixture: required option(s) missing: ${missing.join(", ")}`);
  }
  return entries.map(([name, value]) => {
    const definition = definitions?.find((option) => option.name === name);
    if (!definition) throw new Error(`fixture: unknown option "${name}"`);
    if (definition.choices && !definition.choices.some((choice) => choice.value === value)) {
      throw new Error(`fixture: ${String(value)} is not a choice of "${name}"`);
    }
    return typedOption(context, definition, value, resolved);
  });
}

function typedOption(
  context: BaseFixtureOptions,
  definition: OptionDefinition,
  value: OptionValue,
  resolved: APIInteractionDataResolved,
): RawOption {
  const { name, type } = definition;
  const fail = (expected: string) =>
    new Error(`fixture: option "${name}" expects ${expected}, got ${JSON.stringify(value)}`);
  switch (type) {
    case ApplicationCommandOptionType.String:
      if (typeof value !== "string") throw fail("a string");
      return { name, type, value };
    case ApplicationCommandOptionType.Integer:
      if (typeof value !== "number" || !Number.isInteger(value)) throw fail("an integer");
      return { name, type, value };
    case ApplicationCommandOptionType.Number:
      if (typeof value !== "number") throw fail("a number");
      return { name, type, value };
    case ApplicationCommandOptionType.Boolean:
      if (typeof value !== "boolean") throw fail("a boolean");
      return { name, type, value };
    case ApplicationCommandOptionType.User:
    case ApplicationCommandOptionType.Channel:
    case ApplicationCommandOptionType.Role:
    case ApplicationCommandOptionType.Mentionable:
      if (typeof value !== "string") throw fail("an id");
      resolveEntity(context, type, value, resolved);
      return { name, type, value };
    default:
      throw new Error(`fixture: option "${name}" has type ${type}; pass raw options for it`);
  }
}

/** Fills `resolved` the way Discord does for user/member, channel and role options. */
function resolveEntity(
  context: BaseFixtureOptions,
  type: ApplicationCommandOptionType,
  id: string,
  resolved: APIInteractionDataResolved,
): void {
  const { discord, guildId } = context;
  const role = discord.roleObject?.(guildId, id);
  const wantsRole =
    type === ApplicationCommandOptionType.Role || (type === ApplicationCommandOptionType.Mentionable && role);
  if (wantsRole) {
    resolved.roles = { ...resolved.roles, [id]: role ?? syntheticRole(id) };
    return;
  }
  if (type === ApplicationCommandOptionType.Channel) {
    const channel = discord.channelObject?.(id);
    const permissions = String(
      discord.permissionsOf?.(guildId, invokingUserId(context)) ?? PermissionsBitField.Default,
    );
    resolved.channels = {
      ...resolved.channels,
      [id]: {
        id,
        name: channel?.name ?? "channel",
        type: channel?.type ?? 0,
        permissions,
        ...(channel && "parent_id" in channel ? { parent_id: channel.parent_id } : {}),
      },
    };
    return;
  }
  resolved.users = { ...resolved.users, [id]: fixtureUser(discord, id) };
  const member = discord.memberObject?.(guildId, id);
  if (member) {
    const { user: _user, ...rest } = member;
    const permissions = String(discord.permissionsOf?.(guildId, id) ?? PermissionsBitField.Default);
    resolved.members = { ...resolved.members, [id]: { ...rest, permissions } };
  }
}

function syntheticRole(id: string): APIRole {
  return {
    id,
    name: `role-${id.slice(-4)}`,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    position: 1,
    permissions: "0",
    managed: false,
    mentionable: true,
    flags: 0 as APIRole["flags"],
  };
}

function nestOptions(path: string[], leaf: RawOption[]): RawOption[] {
  const [group, subcommand] = path;
  if (group === undefined) return leaf;
  if (subcommand === undefined)
    return [{ type: ApplicationCommandOptionType.Subcommand, name: group, options: leaf as never }];
  const sub = { type: ApplicationCommandOptionType.Subcommand as const, name: subcommand, options: leaf as never };
  return [{ type: ApplicationCommandOptionType.SubcommandGroup, name: group, options: [sub] }];
}

/** Discord omits `options` entirely for a command invoked without any. */
function optionsField(options: RawOption[]): { options?: RawOption[] } {
  return options.length ? { options } : {};
}

// --- modal submissions ------------------------------------------------------

function actionRows(fields: Record<string, string | string[]>): APIModalSubmissionComponent[] {
  let id = 0;
  return Object.entries(fields).map(([customId, value]) => ({
    type: ComponentType.ActionRow,
    id: ++id,
    components: [
      {
        type: ComponentType.TextInput,
        id: ++id,
        custom_id: customId,
        value: Array.isArray(value) ? value.join(",") : value,
      },
    ],
  }));
}

/** Answers a modal with the same structure the bot built, as the Discord client does. */
function mirrorModal(modal: JsonObject, fields: Record<string, string | string[]>): APIModalSubmissionComponent[] {
  const used = new Set<string>();
  const submitted = (component: JsonObject): JsonObject => {
    const customId = stringField(component, "custom_id") ?? "";
    const value = fields[customId];
    if (value === undefined && component.required !== false && component.type === ComponentType.TextInput) {
      throw new Error(`fixture: modal field "${customId}" is required`);
    }
    used.add(customId);
    const base = { type: component.type, id: component.id, custom_id: customId };
    if (component.type === ComponentType.TextInput)
      return { ...base, value: Array.isArray(value) ? value.join(",") : (value ?? "") };
    return { ...base, values: value === undefined ? [] : Array.isArray(value) ? value : [value] };
  };
  const rows = objectArray(modal.components).map((row): JsonObject => {
    if (row.type === ComponentType.ActionRow)
      return { type: row.type, id: row.id, components: objectArray(row.components).map(submitted) };
    if (row.type === ComponentType.Label)
      return { type: row.type, id: row.id, component: submitted(asObject(row.component)) };
    return { type: row.type, id: row.id };
  });
  const unknown = Object.keys(fields).filter((key) => !used.has(key));
  if (unknown.length) throw new Error(`fixture: modal has no field(s) ${unknown.join(", ")}`);
  // JSON boundary: mirrors the bot's own modal JSON.
  return rows as unknown as APIModalSubmissionComponent[];
}
