import { SlashCommandBuilder } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import type { CommandModule } from "../../src/discord/command-module.js";
import { send } from "../../src/discord/reply.js";
import { UserError } from "../../src/errors.js";
import { callbackData, startTestBot, type TestBot } from "../support/bot-harness.js";

const EPHEMERAL = 64;

/** A command that fails in the ways real handlers can: before answering, after deferring, or on purpose. */
const broken: CommandModule = {
  data: new SlashCommandBuilder()
    .setName("broken")
    .setDescription("Fails on purpose")
    .addStringOption((o) => o.setName("how").setDescription("how to fail").setRequired(true))
    .toJSON(),
  async execute(interaction) {
    const how = interaction.options.getString("how", true);
    if (how === "deferred") {
      await interaction.deferReply();
      throw new Error("database on fire after deferring");
    }
    if (how === "user") throw new UserError("nope", "You cannot do that here.");
    throw new TypeError("Cannot read properties of undefined (reading 'name')");
  },
  async autocomplete() {
    throw new Error("autocomplete exploded");
  },
  components: {
    // A handler still busy near Discord's 3 s deadline (as under a burst of clicks).
    slow: async (interaction) => {
      await new Promise((resolve) => setTimeout(resolve, 1800));
      await send(interaction, { content: "Done, late but answered.", ephemeral: true });
    },
  },
};

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot({ commands: [...commands, broken] });
});
afterAll(async () => {
  await t?.stop();
});

describe("the one error path", () => {
  it("answers a crash privately with an apology and a reference id that is in the log with the error", async () => {
    const data = await callbackData(t.command("broken", undefined, { how: "crash" }));
    expect(data.flags).toBe(EPHEMERAL);
    const reference = /reference `([0-9A-F]{8})`/.exec(data.content)?.[1];
    expect(reference).toBeDefined();
    const logged = t.logs.find((line) => line.reference === reference);
    expect(logged).toMatchObject({ level: 50, msg: "interaction failed", err: { type: "TypeError" } });
    expect(data.content).not.toContain("Cannot read properties");
  });

  it("after a deferred reply, puts the apology into the deferred message", async () => {
    const handle = t.command("broken", undefined, { how: "deferred" });
    expect((await handle.callback).type).toBe(5);
    await handle.settled();
    expect(handle.original()?.content).toMatch(/Something went wrong on our side.*reference `[0-9A-F]{8}`/);
  });

  it("tells a UserError as it is, without an apology", async () => {
    const data = await callbackData(t.command("broken", undefined, { how: "user" }));
    expect(data).toMatchObject({ flags: EPHEMERAL, content: "You cannot do that here." });
  });

  it("answers a failing autocomplete with no suggestions instead of leaving Discord waiting", async () => {
    const callback = await t.autocomplete("broken", undefined, "how", "x").callback;
    expect(callback).toMatchObject({ type: 8, data: { choices: [] } });
  });

  it("acknowledges a slow button silently in time, then answers by follow-up", async () => {
    const list = t.command("faction", "list", {});
    await list.settled();
    const message = {
      ...list.original()!,
      components: [{ type: 1, components: [{ type: 2, style: 2, label: "Slow", custom_id: "slow:1" }] }],
    };
    const click = t.click(message as never, "slow:1");
    expect((await click.callback).type).toBe(6);
    const followUp = await click.waitForFollowUp(1);
    expect(followUp).toMatchObject({ content: "Done, late but answered.", flags: EPHEMERAL });
  });

  it("keeps serving everyone else after failures", async () => {
    const data = await callbackData(t.command("faction", "info", { name: "kdf" }));
    expect(data.embeds[0].title).toBe("Klingon Empire");
  });
});
