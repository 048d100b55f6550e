import { describe, expect, it } from "vitest";
import { describeRequest, errorText, redactTokens } from "../../src/console/bot-activity.js";
import type { RecordedRequest } from "../loopback/server.js";

// Each REST call the bot makes, as recorded by the loopback server, read as what a member would notice.
function recorded(method: string, route: string, fields: Partial<RecordedRequest> = {}): RecordedRequest {
  return {
    method,
    route,
    query: {},
    body: undefined,
    files: [],
    headers: {},
    status: 200,
    response: undefined,
    matched: true,
    at: 0,
    ...fields,
  };
}

const message = { id: "900", content: "hi", channel_id: "400" };

describe("describeRequest", () => {
  it("reads an interaction callback's type and data", () => {
    expect(
      describeRequest(
        recorded("POST", "/interactions/123/tok3n/callback", {
          status: 204,
          body: { type: 4, data: { content: "hi" } },
        }),
      ),
    ).toEqual({
      kind: "callback",
      interactionId: "123",
      type: 4,
      data: { content: "hi" },
    });
  });

  it("tells follow-ups, edits and deletions on the interaction webhook apart", () => {
    expect(describeRequest(recorded("POST", "/webhooks/1/tok3n", { response: message }))).toMatchObject({
      kind: "follow-up",
      token: "tok3n",
      message,
    });
    expect(
      describeRequest(recorded("PATCH", "/webhooks/1/tok3n/messages/@original", { response: message })),
    ).toMatchObject({
      kind: "edit",
      messageId: "@original",
      message,
    });
    expect(describeRequest(recorded("DELETE", "/webhooks/1/tok3n/messages/900", { status: 204 }))).toEqual({
      kind: "delete",
      token: "tok3n",
      messageId: "900",
    });
  });

  it("reads channel messages and role changes", () => {
    expect(describeRequest(recorded("POST", "/channels/400/messages", { response: message }))).toMatchObject({
      kind: "channel-message",
      channelId: "400",
      edited: false,
    });
    expect(describeRequest(recorded("PUT", "/guilds/1/members/2/roles/3", { status: 204 }))).toEqual({
      kind: "role",
      guildId: "1",
      userId: "2",
      roleId: "3",
      added: true,
    });
  });

  it("ignores reads and reports refused calls with Discord's reason, token removed", () => {
    expect(describeRequest(recorded("GET", "/channels/400/messages"))).toBeUndefined();
    expect(
      describeRequest(
        recorded("POST", "/interactions/123/s3cret/callback", {
          status: 400,
          response: { code: 40060, message: "Interaction has already been acknowledged." },
        }),
      ),
    ).toEqual({
      kind: "failed",
      method: "POST",
      route: "/interactions/123/…/callback",
      status: 400,
      reason: "40060 Interaction has already been acknowledged.",
    });
  });
});

describe("errorText", () => {
  it("flattens Discord's nested form errors", () => {
    const body = {
      code: 50035,
      message: "Invalid Form Body",
      errors: { embeds: { "0": { title: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH", message: "Too long." }] } } } },
    };
    expect(errorText(body)).toBe("50035 Invalid Form Body (embeds.0.title: Too long.)");
  });
});

describe("redactTokens", () => {
  it("never shows an interaction token", () => {
    expect(redactTokens("/webhooks/1/abc.def/messages/@original")).toBe("/webhooks/1/…/messages/@original");
  });
});
