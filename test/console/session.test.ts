import path from "node:path";
import {
  Client,
  GatewayIntentBits,
  LabelBuilder,
  ModalBuilder,
  Routes,
  SlashCommandBuilder,
  TextInputBuilder,
  TextInputStyle,
} from "discord.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ConsoleDirectory } from "../../src/console/directory.js";
import { type ConsoleRuntime, startConsoleRuntime } from "../../src/console/runtime.js";
import { CONSOLE_GUILDS } from "../../src/console/seed.js";
import { ConsoleSession } from "../../src/console/session.js";
import { type GuildSeed, LoopbackDiscord, snowflake } from "../loopback/server.js";
import { tempDir } from "../support/temp-dir.js";
import { freshDatabase } from "../support/test-database.js";

// The session in-process: real payloads to a real discord.js client through the loopback server, output collected
// as the lines a member would read. Answers to forms come from a script, as if typed.

function scriptedIO(answers: string[] = []) {
  const lines: string[] = [];
  const questions: string[] = [];
  return {
    lines,
    questions,
    /** Output since the last call, as one string. */
    take(): string {
      return lines.splice(0).join("\n");
    },
    io: {
      print: (out: string | readonly string[]) => {
        lines.push(...(typeof out === "string" ? [out] : out));
      },
      ask: async (question: string) => {
        questions.push(question);
        return answers.shift();
      },
    },
  };
}

describe("with the Khitomer bot", () => {
  const { dir, cleanup } = tempDir("khitomer-console-session-");
  let runtime: ConsoleRuntime;
  let dropDatabase: () => Promise<void> = async () => undefined;
  const out = scriptedIO();
  let session: ConsoleSession;

  beforeAll(async () => {
    const database = await freshDatabase(inject("templateDatabase"), dir);
    dropDatabase = database.drop;
    runtime = await startConsoleRuntime({
      databaseUrl: database.url,
      logFile: path.join(dir, "c.log"),
      verbose: false,
      env: { LOG_LEVEL: "warn" },
    });
    session = new ConsoleSession({
      discord: runtime.discord,
      directory: runtime.directory,
      io: out.io,
      width: 78,
      botName: "Khitomer",
    });
  });
  afterAll(async () => {
    await runtime?.stop();
    await dropDatabase();
    cleanup();
  });

  it("lists autocomplete suggestions for a line ending in ?, and use N sends the suggestion's value", async () => {
    await session.run("/faction info kl?");
    const listed = out.take();
    const klingon = /^(\d+)\. Klingon Empire — Member$/m.exec(listed);
    expect(listed).toMatch(/^── suggestions for name: \(use N\)/m);
    expect(klingon).not.toBeNull();
    await session.run(`use ${klingon?.[1]}`);
    const shown = out.take();
    expect(shown).toContain('→ /faction info name:"Klingon Empire — Member"');
    expect(shown).toMatch(/^│ Klingon Empire +│$/m);
    // Discord sends the value autocomplete returned (an entry id), not the label: typed as text, the label
    // "Klingon Empire — Member" only gets a "Did you mean" menu, so a straight card proves the value was sent.
    expect(shown).not.toMatch(/Did you mean/);
  });

  it("refuses a disabled button locally, as the Discord client cannot press it", async () => {
    await session.run("/faction list");
    expect(out.take()).toContain("[1] ◀ Previous (disabled)  [2] Next ▶");
    const before = runtime.discord.requests.length;
    await session.run("click 1");
    expect(out.take()).toBe('console: "◀ Previous" is disabled.');
    expect(runtime.discord.requests.length).toBe(before);
  });

  it("keeps a private reply's menu to the member who saw it", async () => {
    await session.run("as alice");
    await session.run("/faction info borg");
    expect(out.take()).toMatch(/^── reply \(only you can see this\) · m\d+/m);
    await session.run("as bob");
    out.take();
    await session.run("pick 1 a");
    expect(out.take()).toBe("console: Only alice can see that message (a private reply), so bob cannot use it.");
  });

  it("acts in another server and channel: the reply lands in that channel", async () => {
    const [, qonos] = CONSOLE_GUILDS;
    await session.run("server qonos");
    await session.run("channel war");
    expect(out.take()).toContain("console: You are now in #war-room.");
    expect(session.prompt()).toBe("[Qo'noS Irregulars #war-room @bob] ");
    await session.run("/faction info kdf");
    const warRoom = qonos?.channels.find((c) => c.name === "war-room")?.id ?? "";
    const posted = runtime.discord.messages(warRoom);
    expect(posted.at(-1)?.embeds[0]?.title).toBe("Klingon Empire");
    expect(posted.at(-1)?.interaction_metadata?.user.id).toBe(session.userId);
    out.take();
  });

  it("explains lines it cannot send, listing what exists", async () => {
    await session.run("/faction info");
    expect(out.take()).toMatch(/^console: \/faction info needs name: /);
    await session.run("as zed");
    expect(out.take()).toBe('console: No member "zed". There is: alice, bob, carol');
  });
});

describe("with a bare discord.js bot: forms and slow replies", () => {
  const guild: GuildSeed = {
    id: snowflake(),
    name: "Khitomer Fleet",
    channels: [{ id: snowflake(), name: "council" }],
    members: [{ user: { id: snowflake(), username: "alice" } }],
  };
  let discord: LoopbackDiscord;
  let client: Client;
  const submitted: Record<string, string>[] = [];

  beforeAll(async () => {
    discord = await LoopbackDiscord.start({ guilds: [guild] });
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: discord.apiBase } });
    client.on("interactionCreate", async (interaction) => {
      if (interaction.isChatInputCommand() && interaction.commandName === "slow") {
        await interaction.deferReply();
        await new Promise((resolve) => setTimeout(resolve, 400));
        await interaction.editReply("Done, after a while.");
      } else if (interaction.isChatInputCommand()) {
        const name = new TextInputBuilder().setCustomId("name").setStyle(TextInputStyle.Short).setMaxLength(40);
        const terms = new TextInputBuilder().setCustomId("terms").setStyle(TextInputStyle.Paragraph).setRequired(false);
        await interaction.showModal(
          new ModalBuilder()
            .setCustomId("proposal")
            .setTitle("Propose a treaty")
            .addLabelComponents(
              new LabelBuilder().setLabel("Name").setTextInputComponent(name),
              new LabelBuilder().setLabel("Terms").setTextInputComponent(terms),
            ),
        );
      } else if (interaction.isModalSubmit()) {
        const values = {
          name: interaction.fields.getTextInputValue("name"),
          terms: interaction.fields.getTextInputValue("terms"),
        };
        submitted.push(values);
        await interaction.reply(`Proposed **${values.name}**: ${values.terms || "(no terms)"}`);
      }
    });
    await client.login(discord.token);
    await discord.waitForReady();
    const propose = new SlashCommandBuilder().setName("propose").setDescription("Propose a treaty").toJSON();
    const slow = new SlashCommandBuilder().setName("slow").setDescription("Thinks first").toJSON();
    await client.rest.put(Routes.applicationCommands(discord.applicationId), { body: [propose, slow] });
  });
  afterAll(async () => {
    await client?.destroy();
    await discord?.close();
  });

  function sessionWith(answers: string[]) {
    const out = scriptedIO(answers);
    const session = new ConsoleSession({
      discord,
      directory: new ConsoleDirectory(discord, [guild]),
      io: out.io,
      width: 78,
      botName: "bot",
    });
    return { out, session };
  }

  it("asks each field in turn, insists on required ones, and submits what was typed", async () => {
    const { out, session } = sessionWith(["", "Accord of Qo'noS", "peace\\ntrade"]);
    await session.run("/propose");
    const shown = out.take();
    expect(shown).toMatch(/^── form "Propose a treaty"/m);
    expect(shown).toContain("1. Name (required, up to 40 characters)");
    expect(shown).toContain("console: This field is required.");
    expect(out.questions).toEqual(["1. Name: ", "1. Name: ", "2. Terms: "]);
    expect(submitted.at(-1)).toEqual({ name: "Accord of Qo'noS", terms: "peace\ntrade" });
    expect(shown).toMatch(/^── reply ─+\nProposed \*\*Accord of Qo'noS\*\*: peace\ntrade$/m);
  });

  it("closes the form without sending on !cancel, as Cancel does in Discord", async () => {
    const before = submitted.length;
    const { out, session } = sessionWith(["!cancel"]);
    await session.run("/propose");
    expect(out.take()).toContain("console: Form closed without sending, as with Cancel in Discord.");
    expect(submitted.length).toBe(before);
  });

  it("waits out a deferred reply and shows its first edit as the reply, before the next line runs", async () => {
    const { out, session } = sessionWith([]);
    await session.run("/slow");
    expect(out.take()).toMatch(/^── reply ─+\nbot is thinking…\n── reply ─+\nDone, after a while\.$/);
  });
});
