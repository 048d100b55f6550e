import {
  ActionRowBuilder,
  type ChatInputCommandInteraction,
  InteractionContextType,
  ModalBuilder,
  SlashCommandBuilder,
  type SlashCommandStringOption,
  TextInputBuilder,
  TextInputStyle,
} from "discord.js";
import type { AppContext, CommandModule, ComponentHandler } from "../src/discord/command-module.js";
import { expireButtonsLater, newPager, type PagerState, pageButtons, readPageClick } from "../src/discord/paging.js";
import { isAdmin, requireGuild } from "../src/discord/permissions.js";
import { at } from "../src/discord/render/faction-embeds.js";
import { treatyEmbed, VOTE_PREFIX, voteButtons } from "../src/discord/render/treaty-embeds.js";
import { send, update } from "../src/discord/reply.js";
import { truncate } from "../src/discord/text.js";
import { UserError } from "../src/errors.js";
import type { ServerFaction } from "../src/factions/model.js";
import { normalize } from "../src/lore/normalize.js";
import { CHOICES, type Choice, type Rule, type Threshold } from "../src/treaties/outcome.js";
import {
  DEFAULT_WINDOW_MS,
  parseWindow,
  STANDING_TEXT,
  STANDINGS,
  TERMS_MAX,
  TITLE_MAX,
  type TreatyStanding,
} from "../src/treaties/treaty-service.js";
import { TREATY_STATUSES, type TreatyStatus } from "../src/treaties/treaty-store.js";

const FORM_PREFIX = "treaty-form";
const LIST_PREFIX = "treaty-page";
const LIST_SIZE = 10;
const PARTY_OPTIONS = ["party-1", "party-2", "party-3", "party-4"] as const;
const CHOICE_LABELS: Record<Choice, string> = { aye: "Aye", nay: "Nay", abstain: "Abstain" };

const party = (name: string, required: boolean) => (option: SlashCommandStringOption) =>
  option
    .setName(name)
    .setDescription(required ? "A party faction (leave all empty: any faction votes)" : "Another party faction")
    .setMaxLength(100)
    .setAutocomplete(true);

const numberOption = (sub: import("discord.js").SlashCommandSubcommandBuilder) =>
  sub.addIntegerOption((o) =>
    o.setName("number").setDescription("The treaty's number (Treaty #12 → 12)").setRequired(true).setMinValue(1),
  );

const data = new SlashCommandBuilder()
  .setName("treaty")
  .setDescription("Propose treaties between factions and vote on them")
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((sub) =>
    sub
      .setName("propose")
      .setDescription("Propose a treaty: a form asks for its title and terms")
      .addStringOption(party("party-1", true))
      .addStringOption(party("party-2", false))
      .addStringOption(party("party-3", false))
      .addStringOption(party("party-4", false))
      .addStringOption((o) =>
        o
          .setName("window")
          .setDescription("How long the vote stays open: 48h (default), 3d, 90m... (10 minutes to 14 days)")
          .setMaxLength(20),
      )
      .addIntegerOption((o) =>
        o
          .setName("quorum")
          .setDescription("Ballots needed, abstentions included (per party with each-party; default 1)")
          .setMinValue(1)
          .setMaxValue(1000),
      )
      .addStringOption((o) =>
        o
          .setName("rule")
          .setDescription("How it passes (default: majority of ballots)")
          .addChoices(
            { name: "majority of all ballots", value: "majority" },
            { name: "each party ratifies", value: "each-party" },
          ),
      )
      .addStringOption((o) =>
        o
          .setName("threshold")
          .setDescription("Simple majority (default) or two-thirds")
          .addChoices({ name: "simple majority", value: "majority" }, { name: "two-thirds", value: "two-thirds" }),
      )
      .addStringOption((o) =>
        o
          .setName("standing")
          .setDescription("What the parties become to each other if it is ratified")
          .addChoices(...STANDINGS.map((s) => ({ name: STANDING_TEXT[s], value: s }))),
      ),
  )
  .addSubcommand((sub) =>
    numberOption(sub.setName("vote").setDescription("Vote on a treaty (the same as its buttons)")).addStringOption(
      (o) =>
        o
          .setName("choice")
          .setDescription("Your ballot")
          .setRequired(true)
          .addChoices(...CHOICES.map((c) => ({ name: CHOICE_LABELS[c], value: c }))),
    ),
  )
  .addSubcommand((sub) =>
    numberOption(sub.setName("status").setDescription("A treaty's tally, rules and deadline, and your ballot")),
  )
  .addSubcommand((sub) =>
    sub
      .setName("list")
      .setDescription("This server's treaties")
      .addStringOption((o) =>
        o
          .setName("status")
          .setDescription("Only these")
          .addChoices(...TREATY_STATUSES.map((s) => ({ name: s, value: s }))),
      ),
  )
  .addSubcommand((sub) =>
    numberOption(sub.setName("withdraw").setDescription("Withdraw a treaty you proposed (admins: any)")),
  )
  .addSubcommand((sub) =>
    numberOption(sub.setName("close").setDescription("Close a vote now with the ballots cast so far (admins)")),
  )
  .toJSON();

async function propose(interaction: ChatInputCommandInteraction, ctx: AppContext): Promise<void> {
  const guildId = requireGuild(interaction);
  const o = interaction.options;
  const parties: ServerFaction[] = [];
  for (const name of PARTY_OPTIONS) {
    const input = o.getString(name);
    if (input) parties.push(await ctx.factions.resolve(guildId, input));
  }
  const windowText = o.getString("window");
  const options = {
    parties: parties.map((p) => p.slug),
    windowMs: windowText ? parseWindow(windowText) : DEFAULT_WINDOW_MS,
    quorum: o.getInteger("quorum") ?? 1,
    rule: (o.getString("rule") ?? "majority") as Rule,
    threshold: (o.getString("threshold") ?? "majority") as Threshold,
    standing: (o.getString("standing") as TreatyStanding | null) ?? null,
  };
  // Everything checkable is checked before the form opens, so nobody types terms only to be refused.
  ctx.treaties.validateOptions({ parties, rule: options.rule, quorum: options.quorum });
  const draftId = await ctx.treaties.createDraft(guildId, interaction.user.id, interaction.channelId, options);
  await interaction.showModal(
    new ModalBuilder()
      .setCustomId(`${FORM_PREFIX}:${draftId}`)
      .setTitle("Propose a treaty")
      .addComponents(
        new ActionRowBuilder<TextInputBuilder>().addComponents(
          new TextInputBuilder()
            .setCustomId("title")
            .setLabel("Title")
            .setStyle(TextInputStyle.Short)
            .setMinLength(3)
            .setMaxLength(TITLE_MAX)
            .setRequired(true),
        ),
        new ActionRowBuilder<TextInputBuilder>().addComponents(
          new TextInputBuilder()
            .setCustomId("terms")
            .setLabel("Terms")
            .setStyle(TextInputStyle.Paragraph)
            .setMinLength(10)
            .setMaxLength(TERMS_MAX)
            .setPlaceholder("What each party agrees to. Markdown is shown as you write it.")
            .setRequired(true),
        ),
      ),
  );
}

const submitForm: ComponentHandler = async (interaction, args, ctx) => {
  if (!interaction.isModalSubmit())
    throw new UserError("stale-component", "This form no longer works. Run `/treaty propose` again.");
  const guildId = requireGuild(interaction);
  const title = interaction.fields.getTextInputValue("title");
  const terms = interaction.fields.getTextInputValue("terms");
  const keep = `\n\nYour text, so nothing is lost:\n**${truncate(title, 100)}**\n${truncate(terms, 1500)}`;
  const draft = await ctx.treaties.draft(guildId, args[0] ?? "");
  if (!draft || draft.userId !== interaction.user.id)
    throw new UserError("draft-gone", `This form has expired. Run \`/treaty propose\` again.${keep}`);
  let view: Awaited<ReturnType<AppContext["treaties"]["proposeFromDraft"]>>;
  try {
    view = await ctx.treaties.proposeFromDraft(guildId, interaction.user.id, args[0] ?? "", draft, { title, terms });
  } catch (error) {
    if (error instanceof UserError) throw new UserError(error.code, `${error.message}${keep}`);
    throw error;
  }
  if (view.treaty.messageId) {
    await send(interaction, {
      content: `Treaty #${view.treaty.number} is up for a vote until ${at(view.treaty.closesAt)}: https://discord.com/channels/${guildId}/${view.treaty.channelId}/${view.treaty.messageId}`,
      ephemeral: true,
    });
    return;
  }
  // I could not post in the channel (no permission there): the proposal becomes this reply instead.
  await send(interaction, { embeds: [treatyEmbed(view)], components: voteButtons(view) });
  const reply = await interaction.fetchReply();
  await ctx.treaties.attachMessage(guildId, view.treaty.id, reply.channelId, reply.id);
};

async function castAndAnswer(
  interaction: Parameters<ComponentHandler>[0] | ChatInputCommandInteraction,
  ctx: AppContext,
  treatyId: string,
  choice: Choice,
) {
  const guildId = requireGuild(interaction);
  const { treaty, previous } = await ctx.treaties.vote(guildId, treatyId, interaction.user.id, choice);
  const change =
    previous && previous !== choice
      ? ` (changed from ${CHOICE_LABELS[previous]})`
      : previous === choice
        ? " (unchanged)"
        : "";
  await send(interaction, {
    content: `Your ballot on Treaty #${treaty.number}: **${CHOICE_LABELS[choice]}**${change}. You can change it until ${at(treaty.closesAt, "R")}, unless the ballots still to come can no longer change the result: then the vote closes early.`,
    ephemeral: true,
  });
}

const clickVote: ComponentHandler = async (interaction, args, ctx) => {
  const [treatyId = "", choice = ""] = args;
  if (!(CHOICES as readonly string[]).includes(choice))
    throw new UserError("stale-component", "This button no longer works.");
  await castAndAnswer(interaction, ctx, treatyId, choice as Choice);
};

async function listPage(ctx: AppContext, guildId: string, state: PagerState) {
  const status = (state.rest[0] || null) as TreatyStatus | null;
  const { treaties, total } = await ctx.treaties.list(guildId, status, state.page, LIST_SIZE);
  const pageCount = Math.max(1, Math.ceil(total / LIST_SIZE));
  const lines = treaties.map(
    (t) =>
      `**#${t.number}** ${truncate(t.title.replace(/[*_`~|]/g, ""), 80)} — ${t.status === "open" ? `voting until ${at(t.closesAt, "R")}` : `${t.status} ${t.closedAt ? at(t.closedAt, "D") : ""}`}`,
  );
  return {
    embeds: [
      {
        title: status ? `Treaties: ${status}` : "Treaties",
        description: lines.length > 0 ? lines.join("\n") : "No treaty yet. Propose one with `/treaty propose`.",
        color: 0xc9a227,
        footer: { text: `Page ${state.page + 1} of ${pageCount} · ${total} treat${total === 1 ? "y" : "ies"}` },
      },
    ],
    components: pageButtons(LIST_PREFIX, state, pageCount),
  };
}

const turnListPage: ComponentHandler = async (interaction, args, ctx) => {
  const state = await readPageClick(interaction, args, ctx, "/treaty list");
  await update(interaction, await listPage(ctx, requireGuild(interaction), state));
};

export const treaty: CommandModule = {
  data,
  async execute(interaction, ctx) {
    const guildId = requireGuild(interaction);
    const o = interaction.options;
    switch (o.getSubcommand()) {
      case "propose":
        return propose(interaction, ctx);
      case "vote": {
        const t = await ctx.treaties.byNumber(guildId, o.getInteger("number", true));
        return castAndAnswer(interaction, ctx, t.id, o.getString("choice", true) as Choice);
      }
      case "status": {
        const t = await ctx.treaties.byNumber(guildId, o.getInteger("number", true));
        const [view, mine] = await Promise.all([ctx.treaties.view(t), ctx.treaties.ballotOf(t, interaction.user.id)]);
        return send(interaction, {
          embeds: [treatyEmbed(view)],
          content: mine ? `Your ballot: **${CHOICE_LABELS[mine]}**` : t.status === "open" ? "You have not voted." : "",
          ephemeral: true,
        });
      }
      case "list": {
        const page = await listPage(ctx, guildId, newPager(ctx, interaction.user.id, [o.getString("status") ?? ""]));
        await send(interaction, page);
        if (page.components.length > 0) expireButtonsLater(interaction, ctx);
        return;
      }
      case "withdraw": {
        const t = await ctx.treaties.byNumber(guildId, o.getInteger("number", true));
        await ctx.treaties.withdraw(guildId, t, interaction.user.id, await isAdmin(interaction, ctx));
        return send(interaction, { content: `Treaty #${t.number} is withdrawn.`, ephemeral: true });
      }
      case "close": {
        if (!(await isAdmin(interaction, ctx)))
          throw new UserError("not-admin", "Only admins (Manage Server or the council role) can close a vote early.");
        const t = await ctx.treaties.byNumber(guildId, o.getInteger("number", true));
        if (t.status !== "open") throw new UserError("closed", `Treaty #${t.number} is already ${t.status}.`);
        const closed = await ctx.treaties.close(guildId, t.id, "admin", interaction.user.id);
        if (!closed) throw new UserError("closed", `Treaty #${t.number} closed a moment ago.`);
        return send(interaction, {
          content: `Closed Treaty #${t.number}: ${closed.treaty.status}. ${closed.outcome.summary}`,
          ephemeral: true,
        });
      }
      default:
        throw new UserError("unknown-subcommand", "That part of /treaty does not exist any more. Try `/help`.");
    }
  },
  async autocomplete(interaction, ctx) {
    const guildId = interaction.guildId;
    if (!guildId) return interaction.respond([]);
    const typed = String(interaction.options.getFocused() ?? "");
    const factions = new Set((await ctx.factions.list(guildId)).map((f) => f.slug));
    const entries = normalize(typed)
      ? ctx.lore.search(typed, { guildId, kinds: ["faction"], limit: 60 }).map((h) => h.entry)
      : ctx.lore.index.list(guildId, ["faction"]);
    await interaction.respond(
      entries
        .filter((e) => factions.has(e.slug))
        .slice(0, 25)
        .map((e) => ({ name: truncate(e.name, 100), value: e.id })),
    );
  },
  components: { [FORM_PREFIX]: submitForm, [VOTE_PREFIX]: clickVote, [LIST_PREFIX]: turnListPage },
};
