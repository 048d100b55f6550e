import { ComponentType, TextInputStyle } from "discord.js";
import { describe, expect, it } from "vitest";
import { answerField, formFields } from "../../src/console/form.js";
import { renderForm } from "../../src/console/render-message.js";

// A modal as the bot sends it (callback type 9): one label-wrapped paragraph, one legacy action row, one menu.
const modal = [
  {
    type: ComponentType.Label as const,
    label: "Terms",
    description: "One per line",
    component: {
      type: ComponentType.TextInput as const,
      custom_id: "terms",
      style: TextInputStyle.Paragraph,
      max_length: 20,
    },
  },
  {
    type: ComponentType.ActionRow as const,
    components: [
      {
        type: ComponentType.TextInput as const,
        custom_id: "title",
        label: "Title",
        style: TextInputStyle.Short,
        required: false,
        value: "Accord",
      },
    ],
  },
  {
    type: ComponentType.Label as const,
    label: "Parties",
    component: {
      type: ComponentType.StringSelect as const,
      custom_id: "parties",
      min_values: 1,
      max_values: 2,
      options: [
        { label: "Klingon Empire", value: "kdf" },
        { label: "Federation", value: "ufp" },
        { label: "Romulan Republic", value: "rr" },
      ],
    },
  },
];

describe("formFields", () => {
  it("reads labelled inputs, legacy action rows and menus in order, with their rules", () => {
    const fields = formFields(modal);
    expect(fields.map((f) => [f.customId, f.label, f.kind, f.required])).toEqual([
      ["terms", "Terms", "text", true],
      ["title", "Title", "text", false],
      ["parties", "Parties", "select", true],
    ]);
    expect(fields[0]).toMatchObject({ paragraph: true, maxLength: 20, description: "One per line" });
    expect(renderForm("New treaty", fields, 100)).toEqual(
      expect.arrayContaining([
        "1. Terms (required, several lines: type \\n for a line break, up to 20 characters)",
        "   One per line",
        "2. Title (optional)",
        "   prefilled: Accord",
        "3. Parties (required, choose 1–2)",
        "   c) Romulan Republic",
      ]),
    );
  });
});

describe("answerField", () => {
  const [terms, title, parties] = formFields(modal);
  if (!terms || !title || !parties) throw new Error("fixture");

  it("refuses an empty required field and text over the limit; \\n becomes a line break", () => {
    expect(answerField(terms, "")).toEqual({ ok: false, problem: "This field is required." });
    expect(answerField(terms, "x".repeat(21))).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/At most 20/),
    });
    expect(answerField(terms, "peace\\ntrade")).toEqual({ ok: true, value: "peace\ntrade" });
  });

  it("keeps a prefilled value when the line is empty", () => {
    expect(answerField(title, "")).toEqual({ ok: true, value: "Accord" });
  });

  it("reads menu picks as letters or numbers and enforces how many may be chosen", () => {
    expect(answerField(parties, "a c")).toEqual({ ok: true, value: ["kdf", "rr"] });
    expect(answerField(parties, "2")).toEqual({ ok: true, value: ["ufp"] });
    expect(answerField(parties, "a b c")).toEqual({ ok: false, problem: "Choose between 1 and 2." });
    expect(answerField(parties, "")).toEqual({ ok: false, problem: "Choose between 1 and 2." });
    expect(answerField(parties, "z")).toMatchObject({ ok: false, problem: expect.stringMatching(/"z" is not one of/) });
  });
});
