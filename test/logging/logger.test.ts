import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/logger.js";

const TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDe.abcdefghijklmnopqrstuvwxyz0123456789AB";

function memoryStream() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

describe("logger", () => {
  it("never writes the bot token, wherever it appears", () => {
    const { stream, lines } = memoryStream();
    const log = createLogger({ level: "debug", pretty: false, destination: stream, secrets: [TOKEN] });
    log.info({ token: TOKEN }, "field");
    log.info({ headers: { authorization: `Bot ${TOKEN}` } }, "header");
    log.info(`message with ${TOKEN} inside`);
    log.error({ err: new Error(`login failed for ${TOKEN}`) }, "error stack");
    log.info({ nested: { deeper: { value: `Bot ${TOKEN}` } } }, "deep");
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      expect(line).not.toContain(TOKEN);
      expect(line).not.toContain("GabcDe.abcdefghij");
    }
    expect(lines.join("\n")).toContain("[redacted]");
  });

  it("cuts interaction and webhook tokens out of REST URLs in error messages", () => {
    const { stream, lines } = memoryStream();
    const log = createLogger({ level: "info", pretty: false, destination: stream });
    const interactionToken = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OnNlY3JldA";
    log.warn(`POST /interactions/123456789012345678/${interactionToken}/callback failed`);
    log.warn({ url: `/webhooks/987654321098765432/${interactionToken}/messages/@original` }, "edit failed");
    expect(lines.join("\n")).not.toContain(interactionToken);
    expect(lines[0]).toContain("/interactions/123456789012345678/[redacted]/callback");
  });

  it("writes JSON lines when not pretty", () => {
    const { stream, lines } = memoryStream();
    createLogger({ level: "info", pretty: false, destination: stream }).info({ guilds: 2 }, "ready");
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ level: 30, msg: "ready", guilds: 2 });
  });
});
