import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIST_TTL_MS } from "../../commands/faction.js";
import { callbackData, ManualClock, startTestBot, type TestBot } from "../support/bot-harness.js";

// End to end: the real bot and discord.js client against the loopback Discord; assertions on the JSON sent back.

const EPHEMERAL = 64;
const clock = new ManualClock();
let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ clock });
});
afterAll(async () => {
  await t?.stop();
});

describe("/faction info", () => {
  it("given an alias, answers publicly with the faction's card", async () => {
    const data = await callbackData(t.command("faction", "info", { name: "kdf" }));
    expect(data.flags ?? 0).toBe(0);
    expect(data.allowed_mentions).toEqual({ parse: [], replied_user: false });
    const [embed] = data.embeds;
    expect(embed.title).toBe("Klingon Empire");
    expect(embed.fields).toEqual(
      expect.arrayContaining([
        { name: "Quadrant", value: "Beta Quadrant", inline: true },
        expect.objectContaining({ name: "Standing toward the Alliance", value: expect.stringMatching(/^Member/) }),
        expect.objectContaining({ name: "Treaties", value: expect.stringContaining("Treaty of Alliance") }),
      ]),
    );
    expect(embed.footer.text).toMatch(/Canon · Source: Star Trek Online Wiki, “Khitomer Alliance”/);
  });

  it("autocompletes as the member types, and the chosen value opens that entry", async () => {
    const data = await callbackData(t.autocomplete("faction", "info", "name", "kl"));
    expect((await t.autocomplete("faction", "info", "name", "kl").callback).type).toBe(8);
    expect(data.choices.length).toBeGreaterThan(0);
    expect(data.choices.length).toBeLessThanOrEqual(25);
    const klingon = data.choices.find((c: { name: string }) => c.name.startsWith("Klingon Empire —"));
    expect(klingon).toBeDefined();
    const card = await callbackData(t.command("faction", "info", { name: klingon.value }));
    expect(card.embeds[0].title).toBe("Klingon Empire");
  });

  it("given an empty autocomplete, offers the first 25 factions", async () => {
    const data = await callbackData(t.autocomplete("faction", "info", "name", ""));
    expect(data.choices).toHaveLength(25);
  });

  it("given an ambiguous word, asks privately which one, and the pick is shown publicly", async () => {
    const handle = t.command("faction", "info", { name: "borg" });
    const data = await callbackData(handle);
    expect(data.flags).toBe(EPHEMERAL);
    expect(data.content).toContain("“borg” matches more than one faction");
    const menu = data.components[0].components[0];
    expect(menu.options.map((o: { label: string }) => o.label)).toEqual(
      expect.arrayContaining(["Borg Collective", "Borg Cooperative", "Borg Kingdom"]),
    );
    const kingdom = menu.options.find((o: { label: string }) => o.label === "Borg Kingdom");
    // Summaries are not held in memory: they are read from the database for the entries the menu shows.
    expect(kingdom.description).toBe(
      "Faction · Borg power filed under 'Others' in the faction list, at open war with the Alliance.",
    );
    await handle.settled();
    const pick = t.select(handle.original()!, menu.custom_id, [kingdom.value]);
    expect(await pick.callback).toMatchObject({ type: 7, data: { components: [] } });
    const followUp = await pick.waitForFollowUp(1);
    expect(followUp.flags ?? 0).toBe(0);
    expect(followUp.embeds[0]?.title).toBe("Borg Kingdom");
  });

  it("given a misspelling with no sure match, suggests entries instead of a wrong answer", async () => {
    const data = await callbackData(t.command("faction", "info", { name: "klingonz rebelz" }));
    if (data.embeds?.length) expect(data.embeds[0].title).toBe("Klingon Empire Rebels");
    else expect(data.content).toMatch(/Did you mean/);
  });

  it("given nonsense, answers privately that nothing matches", async () => {
    const data = await callbackData(t.command("faction", "info", { name: "qwxzv" }));
    expect(data.flags).toBe(EPHEMERAL);
    expect(data.content).toMatch(/Nothing in the lore matches “qwxzv”/);
  });

  it("given mention tricks and odd Unicode, echoes them inert and pings nobody", async () => {
    const sneaky = "@everyone <@&123456789012345678> \u202e**bold** <@123456789012345678>";
    const data = await callbackData(t.command("faction", "info", { name: sneaky }));
    expect(data.allowed_mentions).toEqual({ parse: [], replied_user: false });
    expect(data.content).not.toContain("\u202e");
    expect(data.content).not.toMatch(/@everyone|<@&\d+>|<@\d+>/);
    expect(data.content).toContain("\\*\\*bold\\*\\*");
  });

  it("given a name of only punctuation, asks for a name", async () => {
    const data = await callbackData(t.command("faction", "info", { name: "'''" }));
    expect(data).toMatchObject({ flags: EPHEMERAL, content: expect.stringMatching(/Type a faction name/) });
  });

  it("given an entry id from another kind, does not show it as a faction", async () => {
    const place = await callbackData(t.autocomplete("lore", "show", "entry", "qonos"));
    const data = await callbackData(t.command("faction", "info", { name: place.choices[0].value }));
    expect(data.embeds?.[0]?.title).not.toBe("Qo'noS");
  });
});

describe("/faction list", () => {
  it("pages with buttons for the member who asked, refuses others, and expires cleanly", async () => {
    const handle = t.command("faction", "list", {});
    const first = await callbackData(handle);
    expect(first.embeds[0].footer.text).toMatch(/^Page 1 of \d+ · \d+ factions$/);
    const [prev, next] = first.components[0].components;
    expect(prev.disabled).toBe(true);
    await handle.settled();
    const message = handle.original()!;

    const turned = await callbackData(t.click(message, next.custom_id));
    expect(turned.embeds[0].footer.text).toMatch(/^Page 2 of/);
    expect(turned.embeds[0].description).not.toBe(first.embeds[0].description);

    const other = await callbackData(t.click(message, next.custom_id, { user: t.bob.id }));
    expect(other).toMatchObject({
      flags: EPHEMERAL,
      content: expect.stringMatching(/Only <@\d+> can turn these pages/),
    });
    expect(other.allowed_mentions).toEqual({ parse: [], replied_user: false });

    clock.advance(LIST_TTL_MS + 1000);
    const expired = t.click(message, next.custom_id);
    expect(await expired.callback).toMatchObject({ type: 7, data: { components: [] } });
    expect((await expired.waitForFollowUp(1)).content).toMatch(/These pages have expired\. Run `\/faction list` again/);
  });

  it("filters by quadrant and standing", async () => {
    const data = await callbackData(t.command("faction", "list", { quadrant: "gamma", standing: "open-warfare" }));
    const names = data.embeds[0].description;
    expect(data.embeds[0].footer.text).toMatch(/^Page 1 of 1 · \d+ factions · Gamma Quadrant · Open warfare$/);
    expect(names).toContain("Fek'Ihri Horde");
    expect(names).not.toContain("Dominion");
    expect(data.components).toEqual([]);
  });
});

describe("/lore", () => {
  it("show finds any kind of entry, with a treaty's parties and terms", async () => {
    const data = await callbackData(t.command("lore", "show", { entry: "treaty of alliance" }));
    const fields = Object.fromEntries(
      data.embeds[0].fields.map((f: { name: string; value: string }) => [f.name, f.value]),
    );
    expect(data.embeds[0].title).toBe("Treaty of Alliance");
    expect(fields.Parties).toBe("United Federation of Planets · Klingon Empire");
    expect(fields.Terms).toMatch(/help/);
    expect(data.embeds[0].footer.text).toContain("Memory Alpha, “Treaty of Alliance”");
  });

  it("search lists matches privately and opens the picked one in place", async () => {
    const handle = t.command("lore", "search", { query: "qonos" });
    const data = await callbackData(handle);
    expect(data.flags).toBe(EPHEMERAL);
    expect(data.embeds[0].description).toContain("**Qo'noS** · Place — The Klingon homeworld.");
    const menu = data.components[0].components[0];
    expect(menu.options[0].description).toMatch(/^Place · The Klingon homeworld\. The 2410 Federation-Klingon/);
    await handle.settled();
    const pick = t.select(handle.original()!, menu.custom_id, [menu.options[0].value]);
    const updated = await callbackData(pick);
    expect(updated.embeds[0].title).toBe("Qo'noS");
  });

  it("search finds entries by words of their summary", async () => {
    const data = await callbackData(t.command("lore", "search", { query: "Torchbearer" }));
    expect(data.embeds[0].description).toContain("J'Ula");
  });
});

describe("/help", () => {
  it("lists every command privately, generated from the definitions", async () => {
    const data = await callbackData(t.command("help", undefined));
    expect(data.flags).toBe(EPHEMERAL);
    const text = data.embeds[0].fields.map((f: { value: string }) => f.value).join("\n");
    expect(text).toContain("`/faction info name:`");
    expect(text).toContain("`/lore search query:`");
    expect(text).toContain("`/council agenda add note:`");
  });
});

describe("stale and foreign components", () => {
  it("a button whose handler no longer exists answers privately and changes nothing", async () => {
    const handle = t.command("faction", "list", {});
    await handle.settled();
    const message = handle.original()!;
    const stale = {
      ...message,
      components: [{ type: 1, components: [{ type: 2, style: 2, label: "Old", custom_id: "retired-feature:1" }] }],
    };
    const data = await callbackData(t.click(stale as never, "retired-feature:1"));
    expect(data).toMatchObject({ flags: EPHEMERAL, content: expect.stringMatching(/no longer exists/) });
  });
});
