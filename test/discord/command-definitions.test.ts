import { type APIApplicationCommandOption, ApplicationCommandOptionType } from "discord.js";
import { describe, expect, it } from "vitest";
import { helpEmbed, helpLines } from "../../commands/help.js";
import { commands } from "../../commands/index.js";

// Discord's limits for application commands:
// https://discord.com/developers/docs/interactions/application-commands#application-command-object
const NAME = /^[-_\p{Ll}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

type Option = APIApplicationCommandOption & {
  options?: Option[];
  choices?: { name: string; value: string | number }[];
  required?: boolean;
  max_length?: number;
};

function problemsOf(options: Option[] | undefined, where: string): string[] {
  const problems: string[] = [];
  const list = options ?? [];
  if (list.length > 25) problems.push(`${where}: ${list.length} options (max 25)`);
  let seenOptional = false;
  const names = new Set<string>();
  for (const option of list) {
    const at = `${where} ${option.name}`;
    if (!NAME.test(option.name)) problems.push(`${at}: bad name`);
    if (names.has(option.name)) problems.push(`${at}: duplicate name`);
    names.add(option.name);
    if (option.description.length < 1 || option.description.length > 100) problems.push(`${at}: description length`);
    const isSub =
      option.type === ApplicationCommandOptionType.Subcommand ||
      option.type === ApplicationCommandOptionType.SubcommandGroup;
    if (!isSub) {
      if (option.required && seenOptional) problems.push(`${at}: required option after an optional one`);
      if (!option.required) seenOptional = true;
    }
    if (option.choices) {
      if (option.choices.length > 25) problems.push(`${at}: ${option.choices.length} choices (max 25)`);
      for (const choice of option.choices) {
        if (choice.name.length < 1 || choice.name.length > 100) problems.push(`${at}: choice name length`);
        if (typeof choice.value === "string" && choice.value.length > 100) problems.push(`${at}: choice value length`);
      }
    }
    if (option.max_length !== undefined && (option.max_length < 1 || option.max_length > 6000))
      problems.push(`${at}: max_length`);
    problems.push(...problemsOf(option.options, at));
  }
  return problems;
}

function characterCount(options: Option[] | undefined): number {
  return (options ?? []).reduce(
    (n, o) =>
      n +
      o.name.length +
      o.description.length +
      (o.choices ?? []).reduce((c, ch) => c + ch.name.length + String(ch.value).length, 0) +
      characterCount(o.options),
    0,
  );
}

describe("registered command definitions", () => {
  it.each(commands.map((c) => [c.data.name, c] as const))("/%s fits Discord's limits", (_name, command) => {
    const data = command.data;
    expect(data.name).toMatch(NAME);
    expect(data.description.length).toBeGreaterThan(0);
    expect(data.description.length).toBeLessThanOrEqual(100);
    expect(problemsOf(data.options as Option[] | undefined, `/${data.name}`)).toEqual([]);
    expect(
      data.name.length + data.description.length + characterCount(data.options as Option[] | undefined),
    ).toBeLessThanOrEqual(4000);
  });

  it("has unique command names and no more than Discord's 100 global commands", () => {
    const names = commands.map((c) => c.data.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeLessThanOrEqual(100);
  });

  it("/help lists every command and subcommand from the same definitions", () => {
    const lines = helpLines(commands).join("\n");
    expect(lines).toContain("`/faction info name:`");
    expect(lines).toContain("`/faction list [quadrant] [standing]`");
    expect(lines).toContain("`/lore search query:`");
    expect(lines).toContain("`/lore show entry:`");
    expect(lines).toContain("`/help`");
  });

  it("/help fits Discord's embed limits with every command", () => {
    const embed = helpEmbed(commands);
    const fields = embed.fields ?? [];
    expect(fields.length).toBeLessThanOrEqual(25);
    for (const field of fields) expect(field.value.length).toBeLessThanOrEqual(1024);
    const total =
      (embed.title?.length ?? 0) +
      (embed.description?.length ?? 0) +
      fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(6000);
    expect(fields.map((f) => f.value).join("\n")).toBe(helpLines(commands).join("\n"));
  });
});
