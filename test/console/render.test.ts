import { type APIEmbed, type APIMessageTopLevelComponent, ButtonStyle, ComponentType } from "discord.js";
import { describe, expect, it } from "vitest";
import { type NameDirectory, renderMarkup } from "../../src/console/discord-markup.js";
import { renderComponents } from "../../src/console/render-components.js";
import { renderEmbed } from "../../src/console/render-embed.js";
import { heading, renderChoices, renderMessage } from "../../src/console/render-message.js";
import { displayWidth, wrap } from "../../src/console/text-layout.js";

// Rendering is pure: Discord-shaped JSON in, the lines a member would read out.

const names: NameDirectory = {
  user: (id) => ({ "200": "alice" })[id],
  role: (id) => ({ "300": "Admiral" })[id],
  channel: (id) => ({ "400": "council" })[id],
};
const options = { width: 60, names };

const card: APIEmbed = {
  title: "Klingon Empire",
  description:
    "Beta Quadrant warrior empire and founding power of the Khitomer Alliance, long at odds with the Federation.",
  color: 0x2ecc71,
  fields: [
    { name: "Quadrant", value: "Beta Quadrant", inline: true },
    { name: "Standing", value: "Member", inline: true },
    { name: "Treaties", value: "• Khitomer Accords\n• Treaty of Alliance", inline: false },
  ],
  footer: { text: "Canon · Source: Star Trek Online Wiki" },
};

const pager: APIMessageTopLevelComponent[] = [
  {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.Button,
        custom_id: "page:0",
        label: "◀ Previous",
        style: ButtonStyle.Secondary,
        disabled: true,
      },
      { type: ComponentType.Button, custom_id: "page:2", label: "Next ▶", style: ButtonStyle.Secondary },
      { type: ComponentType.Button, url: "https://example.org", label: "Wiki", style: ButtonStyle.Link },
    ],
  },
];

const menu: APIMessageTopLevelComponent[] = [
  {
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.StringSelect,
        custom_id: "lore-pick:200:public",
        placeholder: "Choose an entry",
        options: [
          { label: "Borg Collective", value: "c1", description: "Faction · Delta Quadrant" },
          { label: "Borg Cooperative", value: "c2", description: "Faction · Delta Alliance member" },
        ],
      },
    ],
  },
];

describe("renderEmbed", () => {
  it("frames the card: colour label, title, wrapped description, fields, footer, every line the same width", () => {
    const lines = renderEmbed(card, options);
    expect(lines[0]).toMatch(/^╭─ #2ECC71 ─+╮$/);
    expect(lines[1]).toMatch(/^│ Klingon Empire +│$/);
    expect(lines).toContain(`│ ${"Beta Quadrant warrior empire and founding power of the".padEnd(56)} │`);
    expect(lines.at(-2)).toMatch(/^│ Canon · Source: Star Trek Online Wiki +│$/);
    expect(lines.at(-1)).toMatch(/^╰─+╯$/);
    for (const line of lines) expect(displayWidth(line)).toBe(60);
  });

  it("puts short inline fields side by side and stacks a multi-line field under its name", () => {
    const body = renderEmbed(card, options).map((line) => line.slice(2, -2).trimEnd());
    const nameRow = body.findIndex((line) => line.startsWith("Quadrant"));
    expect(body[nameRow]).toMatch(/^Quadrant {2,}Standing$/);
    expect(body[nameRow + 1]).toMatch(/^Beta Quadrant {2,}Member$/);
    const treaties = body.indexOf("Treaties:");
    expect(body.slice(treaties + 1, treaties + 3)).toEqual(["  • Khitomer Accords", "  • Treaty of Alliance"]);
  });

  it("stacks inline fields as `Name: value` when a value is too long for a column", () => {
    const long = {
      fields: [
        { name: "Standing", value: "Member — one of the three founding powers", inline: true },
        { name: "Quadrant", value: "Beta", inline: true },
      ],
    };
    const body = renderEmbed(long, options).map((line) => line.slice(2, -2).trimEnd());
    expect(body).toContain("Standing: Member — one of the three founding powers");
    expect(body).toContain("Quadrant: Beta");
  });
});

describe("renderComponents", () => {
  it("numbers buttons on one line, marks disabled ones and leaves link buttons unnumbered", () => {
    const { lines, controls } = renderComponents(pager, { ...options, width: 100, firstNumber: 1 });
    expect(lines).toEqual(["[1] ◀ Previous (disabled)  [2] Next ▶  [↗ Wiki: https://example.org]"]);
    expect(controls.map((c) => [c.number, c.customId, c.disabled])).toEqual([
      [1, "page:0", true],
      [2, "page:2", false],
    ]);
  });

  it("wraps a row that is wider than the screen between buttons, never inside one", () => {
    expect(renderComponents(pager, { ...options, firstNumber: 1 }).lines).toEqual([
      "[1] ◀ Previous (disabled)  [2] Next ▶",
      "[↗ Wiki: https://example.org]",
    ]);
  });

  it("lists a select menu's options with letters, continuing the numbering it was given", () => {
    const { lines, controls } = renderComponents(menu, { ...options, firstNumber: 3 });
    expect(lines[0]).toBe('[3] menu "Choose an entry":');
    expect(lines[1]).toBe("    a) Borg Collective — Faction · Delta Quadrant");
    expect(lines[2]).toBe("    b) Borg Cooperative — Faction · Delta Alliance member");
    expect(controls[0]).toMatchObject({
      number: 3,
      kind: "select",
      customId: "lore-pick:200:public",
      minValues: 1,
      maxValues: 1,
    });
  });
});

describe("renderMessage", () => {
  it("shows the label, the content with mentions as names, the embed and the controls", () => {
    const { lines, controls } = renderMessage(
      { content: "Only <@200> can turn these pages.", embeds: [card], components: pager },
      "reply (only you can see this)",
      options,
    );
    expect(lines[0]).toBe(heading("reply (only you can see this)", 60));
    expect(lines[1]).toBe("Only @alice can turn these pages.");
    expect(lines[2]).toMatch(/^╭─ #2ECC71/);
    expect(lines.at(-2)).toBe("[1] ◀ Previous (disabled)  [2] Next ▶");
    expect(controls).toHaveLength(2);
  });

  it("says so when a message has nothing to show", () => {
    expect(renderMessage({ content: "", embeds: [] }, "edited reply", options).lines).toEqual([
      heading("edited reply", 60),
      "(empty message)",
    ]);
  });
});

describe("renderChoices", () => {
  it("numbers autocomplete suggestions for `use N`", () => {
    expect(
      renderChoices(
        [
          { name: "Klingon Empire — Member", value: "id1" },
          { name: "Klingons (2256) — Open warfare", value: "id2" },
        ],
        60,
      ),
    ).toEqual(["1. Klingon Empire — Member", "2. Klingons (2256) — Open warfare"]);
    expect(renderChoices([], 60)).toEqual(["(no suggestions)"]);
  });
});

describe("renderMarkup", () => {
  it("shows user, role and channel mentions by name and leaves neutralized mentions as text", () => {
    expect(renderMarkup("<@200> <@!200> <@&300> <#400> <@999>", names)).toBe(
      "@alice @alice @Admiral #council @unknown-user",
    );
    expect(renderMarkup("<@\u2060200> and @\u2060everyone", names)).toBe("<@\u2060200> and @\u2060everyone");
  });

  it("removes markdown escapes, shows custom emoji by name and timestamps as dates", () => {
    expect(renderMarkup("Qo\\'noS \\*not bold\\* <:klingon:123>", names)).toBe("Qo\\'noS *not bold* :klingon:");
    expect(renderMarkup("<t:0:D>", names, { timeZone: "UTC" })).toBe("1 January 1970");
    expect(renderMarkup("<t:60:R>", names, { now: new Date(0) })).toBe("in 1 minute");
  });
});

describe("wrap", () => {
  it("keeps line breaks, wraps at word boundaries and hangs bullet continuations", () => {
    expect(wrap("one two three four\nfive", 9)).toEqual(["one two", "three", "four", "five"]);
    expect(wrap("• alpha beta gamma", 12)).toEqual(["• alpha beta", "  gamma"]);
    // Bold markers are not bullets: no hanging indent.
    expect(wrap("**Bold** name that wraps", 13)).toEqual(["**Bold** name", "that wraps"]);
  });

  it("breaks a word longer than the line", () => {
    expect(wrap("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
  });
});
