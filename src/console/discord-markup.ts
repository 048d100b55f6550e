// Discord markup shown the way the client shows it: mentions as names, timestamps as dates, escapes removed.
// Bold, italics and code marks stay as typed: they read well enough in a terminal.

/** Names for the ids a message can mention. Undefined means Discord would show an unknown mention. */
export interface NameDirectory {
  user(id: string): string | undefined;
  role(id: string): string | undefined;
  channel(id: string): string | undefined;
}

export const NO_NAMES: NameDirectory = { user: () => undefined, role: () => undefined, channel: () => undefined };

const TIMESTAMP_STYLES: Record<string, Intl.DateTimeFormatOptions> = {
  t: { timeStyle: "short" },
  T: { timeStyle: "medium" },
  d: { dateStyle: "short" },
  D: { dateStyle: "long" },
  f: { dateStyle: "long", timeStyle: "short" },
  F: { dateStyle: "full", timeStyle: "short" },
};

export interface MarkupOptions {
  /** For relative timestamps (<t:…:R>); the real time by default. */
  now?: Date;
  /** Time zone for absolute timestamps; the machine's by default. Tests pin it. */
  timeZone?: string;
}

export function renderMarkup(text: string, names: NameDirectory, options: MarkupOptions = {}): string {
  return (
    text
      .replace(/<@!?(\d+)>/g, (_m, id: string) => `@${names.user(id) ?? "unknown-user"}`)
      .replace(/<@&(\d+)>/g, (_m, id: string) => `@${names.role(id) ?? "unknown-role"}`)
      .replace(/<#(\d+)>/g, (_m, id: string) => `#${names.channel(id) ?? "unknown-channel"}`)
      .replace(/<\/([\w -]+):\d+>/g, "/$1")
      .replace(/<a?(:\w+:)\d+>/g, "$1")
      .replace(/<t:(-?\d+)(?::([tTdDfFR]))?>/g, (_m, seconds: string, style: string | undefined) =>
        formatTimestamp(Number(seconds) * 1000, style ?? "f", options),
      )
      // escapeMarkdown's backslashes are invisible in Discord.
      .replace(/\\([*_`~|>#\-[\]()\\:])/g, "$1")
  );
}

function formatTimestamp(ms: number, style: string, options: MarkupOptions): string {
  if (style === "R") return relative(ms - (options.now ?? new Date()).getTime());
  const format = TIMESTAMP_STYLES[style] ?? TIMESTAMP_STYLES.f;
  return new Intl.DateTimeFormat("en-GB", {
    ...format,
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  }).format(new Date(ms));
}

function relative(deltaMs: number): string {
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["year", 365 * 86_400_000],
    ["month", 30 * 86_400_000],
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
    ["second", 1000],
  ];
  const format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  for (const [unit, size] of units) {
    if (Math.abs(deltaMs) >= size || unit === "second") return format.format(Math.round(deltaMs / size), unit);
  }
  return format.format(0, "second");
}
