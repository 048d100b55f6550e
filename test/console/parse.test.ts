import { ApplicationCommandOptionType as T } from "discord.js";
import { describe, expect, it } from "vitest";
import { parseLine } from "../../src/console/parse-line.js";
import { type CommandShape, type EntityLookup, parseSlash } from "../../src/console/parse-slash.js";
import { tokenize } from "../../src/console/tokenize.js";

// Shaped like the registered /faction and /lore, plus a command with typed options.
const commands: CommandShape[] = [
  {
    name: "faction",
    description: "Factions",
    options: [
      {
        name: "info",
        description: "Show a faction",
        type: T.Subcommand,
        options: [
          {
            name: "name",
            description: "Faction name",
            type: T.String,
            required: true,
            autocomplete: true,
            max_length: 20,
          },
        ],
      },
      {
        name: "list",
        description: "List factions",
        type: T.Subcommand,
        options: [
          {
            name: "quadrant",
            description: "Quadrant",
            type: T.String,
            choices: [
              { name: "Alpha Quadrant", value: "alpha" },
              { name: "Beta Quadrant", value: "beta" },
            ],
          },
        ],
      },
    ],
  },
  {
    name: "council",
    description: "Council",
    options: [
      { name: "hours", description: "Length", type: T.Integer, required: true, min_value: 1, max_value: 4 },
      { name: "chair", description: "Who chairs", type: T.User },
      { name: "public", description: "Announce", type: T.Boolean },
    ],
  },
];

const lookup: EntityLookup = {
  user: (text) => (text.replace(/^@/, "") === "bob" ? "202" : undefined),
  role: () => undefined,
  channel: () => undefined,
  names: (kind) => (kind === "user" ? ["alice", "bob"] : []),
};

const parse = (line: string) => parseSlash(line, commands, lookup);

describe("parseSlash", () => {
  it("fills the first required text option with free text, as /faction info kdf", () => {
    const parsed = parse("/faction info kdf");
    expect(parsed).toMatchObject({ kind: "invoke", invocation: { subcommand: "info", options: { name: "kdf" } } });
  });

  it("without a required text option, fills the first text option (here a choice, matched by name)", () => {
    expect(parse("/faction list beta quadrant")).toMatchObject({ invocation: { options: { quadrant: "beta" } } });
  });

  it("joins several free words and reads quoted option values with spaces", () => {
    expect(parse("/faction info klingon  empire")).toMatchObject({
      invocation: { options: { name: "klingon empire" } },
    });
    expect(parse('/faction info name:"Qo\'noS one"')).toMatchObject({
      invocation: { options: { name: "Qo'noS one" } },
    });
  });

  it("accepts a choice by value or by its name, and refuses others listing the choices", () => {
    expect(parse("/faction list quadrant:beta")).toMatchObject({ invocation: { options: { quadrant: "beta" } } });
    expect(parse('/faction list quadrant:"alpha quadrant"')).toMatchObject({
      invocation: { options: { quadrant: "alpha" } },
    });
    const refused = parse("/faction list quadrant:zeta");
    expect(refused.kind).toBe("error");
    expect(refused.kind === "error" && refused.message).toMatch(
      /"zeta" is not a choice.*alpha \(Alpha Quadrant\), beta/,
    );
  });

  it("types integers, booleans and members, enforcing ranges as the Discord client does", () => {
    expect(parse("/council hours:2 chair:@bob public:yes")).toMatchObject({
      invocation: { options: { hours: 2, chair: "202", public: true } },
    });
    expect(parse("/council hours:9")).toMatchObject({ kind: "error", message: "hours: is at most 4." });
    expect(parse("/council hours:two")).toMatchObject({
      kind: "error",
      message: expect.stringMatching(/whole number/),
    });
    expect(parse("/council hours:1 chair:zed")).toMatchObject({
      kind: "error",
      message: expect.stringMatching(/no member "zed".*alice, bob/),
    });
  });

  it("refuses text longer than the option allows", () => {
    expect(parse(`/faction info ${"x".repeat(21)}`)).toMatchObject({
      kind: "error",
      message: expect.stringMatching(/at most 20 characters \(you typed 21\)/),
    });
  });

  it("names what exists when the command, subcommand or option is unknown, or a required option is missing", () => {
    expect(parse("/nope")).toMatchObject({ kind: "error", message: "There is no /nope. Commands: /faction, /council" });
    expect(parse("/faction lst")).toMatchObject({
      kind: "error",
      message: expect.stringMatching(/no "lst".*info, list/),
    });
    expect(parse("/faction")).toMatchObject({ kind: "error", message: "/faction needs one of: info, list" });
    expect(parse("/faction info nam:kdf")).toMatchObject({
      kind: "error",
      message: expect.stringMatching(/no option "nam".*name:/),
    });
    expect(parse("/faction info")).toMatchObject({ kind: "error", message: expect.stringMatching(/needs name:/) });
    expect(parse("/council hours:1 soon")).toMatchObject({
      kind: "error",
      message: expect.stringMatching(/does not take free text \("soon"\)/),
    });
  });

  it("reads a trailing ? as a request for suggestions on the option being typed", () => {
    const free = parse("/faction info kl?");
    expect(free.kind === "invoke" && free.invocation.focus).toMatchObject({ option: { name: "name" }, value: "kl" });
    const named = parse("/faction info name:kl?");
    expect(named.kind === "invoke" && named.invocation.focus).toMatchObject({ option: { name: "name" }, value: "kl" });
    const empty = parse("/faction info ?");
    expect(empty.kind === "invoke" && empty.invocation.focus).toMatchObject({ option: { name: "name" }, value: "" });
    const choices = parse("/faction list quadrant:?");
    expect(choices.kind === "invoke" && choices.invocation.focus).toMatchObject({
      option: { name: "quadrant" },
      value: "",
    });
  });

  it("keeps a ? inside quotes as text", () => {
    expect(parse('/faction info "who?"')).toMatchObject({ invocation: { options: { name: "who?" } } });
    expect(parse('/faction info "who?"').kind === "invoke" && parse('/faction info "who?"')).not.toHaveProperty(
      "invocation.focus",
    );
  });

  it("outlines a command's subcommands for /faction ?", () => {
    expect(parse("/faction ?")).toEqual({
      kind: "outline",
      lines: ["/faction info name: — Show a faction", "/faction list [quadrant:] — List factions"],
    });
  });
});

describe("tokenize", () => {
  it("keeps apostrophes inside words, reads quoted keys as text and reports a missing closing quote", () => {
    expect(tokenize("Qo'noS 'two words' \"a:b\" k:v")).toEqual({
      ok: true,
      words: [
        { value: "Qo'noS", quoted: false, endsQuoted: false },
        { value: "two words", quoted: true, endsQuoted: true },
        { value: "a:b", quoted: true, endsQuoted: true },
        { key: "k", value: "v", quoted: false, endsQuoted: false },
      ],
    });
    expect(tokenize('name:"open')).toEqual({ ok: false, message: 'Missing closing " in: "open' });
  });
});

describe("parseLine", () => {
  it("tells slash commands from the console's own words", () => {
    expect(parseLine("  /faction info kdf ")).toEqual({ kind: "slash", text: "/faction info kdf" });
    expect(parseLine("click 2")).toEqual({ kind: "click", number: 2 });
    expect(parseLine("pick 1 a,c d")).toEqual({ kind: "pick", number: 1, picks: ["a", "c", "d"] });
    expect(parseLine("use 3")).toEqual({ kind: "use", number: 3 });
    expect(parseLine("as @bob")).toEqual({ kind: "as", who: "bob" });
    expect(parseLine("channel #council")).toEqual({ kind: "channel", which: "council" });
    expect(parseLine("server Qo'noS Irregulars")).toEqual({ kind: "server", which: "Qo'noS Irregulars" });
    expect(parseLine("exit")).toEqual({ kind: "quit" });
    expect(parseLine("# a comment")).toEqual({ kind: "empty" });
  });

  it("explains malformed console lines", () => {
    expect(parseLine("click")).toMatchObject({ kind: "error", message: expect.stringMatching(/^Usage: click N/) });
    expect(parseLine("pick 1")).toMatchObject({ kind: "error", message: expect.stringMatching(/^Usage: pick N a/) });
    expect(parseLine("dance")).toMatchObject({
      kind: "error",
      message: expect.stringMatching(/Unknown console command "dance"/),
    });
  });
});
