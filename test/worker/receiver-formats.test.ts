/**
 * The six receivers of issue 16 against a real local receiver (Node, real HTTP): what each one is
 * sent for a failure and its recovery, and — for a storm of 1,000 long host names — that every
 * payload stays inside its platform's published limits, written out here as literals with where
 * they are documented (never imported from the code under test).
 */
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AlertEvent } from "../../worker/alerts/event.ts";
import { render } from "../../worker/alerts/formats/index.ts";
import type { Webhook } from "../../worker/alerts/webhooks.ts";
import { beat, deliveries, receiverUrl, runAlarm, stormChange, stormEvent } from "./alerting.ts";
import { admin, enroll, expectError, testClock } from "./helpers.ts";

const { at, freshDay } = testClock("2027-07-01T00:00:00Z");
afterEach(() => {
  vi.useRealTimers();
});

const PUSHOVER_TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi";
const PUSHOVER_USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG";
const GENIE_KEY = "eb243592-faa2-4ba2-a551q-1afdf565c889";

/** A host that goes blind, then recovers, heard by a webhook of `format`; returns what the receiver got. */
async function downAndUp(format: string, extra: Record<string, unknown>, path = "") {
  const t0 = freshDay();
  const label = `rf-${format}`;
  const res = await admin("PUT", `/v1/webhooks/${label}`, {
    url: receiverUrl(label) + path,
    labels: [label],
    format,
    ...extra,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const { secret } = (await res.json()) as { secret: string };
  const host = await enroll(`${label}-1`, { minSeats: 2, labels: [label] });
  await beat(host, { seats: 2 });
  at(t0 + 2_000);
  await beat(host, { seats: 0 });
  await runAlarm();
  at(t0 + 600_000);
  await beat(host, { seats: 3 });
  await runAlarm();
  const log = await deliveries(label);
  expect(log.map((d) => d.answered)).toEqual([200, 200]);
  // Every format is signed alike (Standard Webhooks v1), whatever the receiver makes of it.
  for (const d of log) {
    at(Number(d.headers["webhook-timestamp"]) * 1000);
    expect(() => new StandardWebhook(secret).verify(d.body, d.headers)).not.toThrow();
  }
  return { host: host.id, log, bodies: log.map((d) => JSON.parse(d.body) as Record<string, unknown>) };
}

describe("format telegram", () => {
  it("sends sendMessage to the Bot API method URL with the chat id and plain text, and lists the token hidden", async () => {
    const { host, bodies, log } = await downAndUp(
      "telegram",
      { chatId: "-1001234567890" },
      "/bot123456:AAE-secret/sendMessage",
    );
    expect(log[0]?.path).toBe("/r/rf-telegram/bot123456:AAE-secret/sendMessage");
    expect(bodies[0]).toMatchObject({ chat_id: "-1001234567890", disable_notification: false });
    expect(bodies[0]?.text).toContain(`${host} is blind: 0 seats (needs 2)`);
    expect(bodies[1]).toMatchObject({ disable_notification: true });
    const listed = (await (await admin("GET", "/v1/webhooks")).json()) as {
      webhooks: { name: string; url: string; chatId: string }[];
    };
    const shown = listed.webhooks.find((w) => w.name === "rf-telegram");
    expect(shown?.url).toMatch(/\/bot\*\*\*\/sendMessage$/);
    expect(shown?.url).not.toContain("AAE-secret");
    expect(shown?.chatId).toBe("-1001234567890");
  });

  it("needs a chat id", async () => {
    const res = await admin("PUT", "/v1/webhooks/tg-bad", { url: receiverUrl("tg-bad"), format: "telegram" });
    expect((await expectError(res, 400, "invalid_webhook")).message).toContain("chatId");
  });
});

describe("format teams", () => {
  it("posts a message with one Adaptive Card attachment, coloured by state, linking to the host", async () => {
    const { host, bodies } = await downAndUp("teams", {});
    const card = (bodies[0] as { attachments: { contentType: string; content: Record<string, unknown> }[] })
      .attachments[0];
    expect(bodies[0]?.type).toBe("message");
    expect(card?.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(card?.content).toMatchObject({ type: "AdaptiveCard", version: "1.4" });
    expect(JSON.stringify(card?.content)).toContain(`https://seatwatch.test/v1/hosts/${host}`);
    expect(((card?.content.body ?? []) as { color?: string }[])[0]?.color).toBe("Attention");
  });
});

describe("format opsgenie", () => {
  it("creates an alert aliased by the host and closes exactly it on recovery, with the GenieKey", async () => {
    const { host, log, bodies } = await downAndUp("opsgenie", { token: GENIE_KEY });
    expect(log[0]?.path).toBe("/r/rf-opsgenie");
    expect(log[0]?.headers.authorization).toBe(`GenieKey ${GENIE_KEY}`);
    expect(bodies[0]).toMatchObject({ alias: host, priority: "P1", source: "seatwatch" });
    expect(log[1]?.path).toBe(`/r/rf-opsgenie/${host}/close?identifierType=alias`);
    const listed = (await (await admin("GET", "/v1/webhooks")).json()) as {
      webhooks: { name: string; token: string }[];
    };
    expect(listed.webhooks.find((w) => w.name === "rf-opsgenie")?.token).toBe("***");
  });

  it("defaults to Opsgenie's Alert API and needs the key", async () => {
    const res = await admin("PUT", "/v1/webhooks/og-default", { format: "opsgenie", token: GENIE_KEY });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { url: string }).url).toBe("https://api.opsgenie.com/v2/alerts");
    const bad = await admin("PUT", "/v1/webhooks/og-bad", { format: "opsgenie" });
    expect((await expectError(bad, 400, "invalid_webhook")).message).toContain("GenieKey");
    await admin("DELETE", "/v1/webhooks/og-default");
  });
});

describe("format pushover", () => {
  it("sends the app token and user key with a title, message, priority and link", async () => {
    const { host, bodies } = await downAndUp("pushover", { token: PUSHOVER_TOKEN, user: PUSHOVER_USER });
    expect(bodies[0]).toMatchObject({ token: PUSHOVER_TOKEN, user: PUSHOVER_USER, priority: 1 });
    expect(bodies[0]?.title).toBe(`${host} is blind: 0 seats (needs 2)`);
    expect(bodies[1]).toMatchObject({ priority: -1 });
    const listed = (await (await admin("GET", "/v1/webhooks")).json()) as {
      webhooks: { name: string; token: string; user: string }[];
    };
    expect(listed.webhooks.find((w) => w.name === "rf-pushover")).toMatchObject({ token: "***", user: "***" });
  });

  it("defaults to Pushover's message API", async () => {
    const res = await admin("PUT", "/v1/webhooks/po-default", {
      format: "pushover",
      token: PUSHOVER_TOKEN,
      user: PUSHOVER_USER,
    });
    expect(((await res.json()) as { url: string }).url).toBe("https://api.pushover.net/1/messages.json");
    await admin("DELETE", "/v1/webhooks/po-default");
  });
});

describe("format gotify", () => {
  it("posts title, message and priority with the app token in X-Gotify-Key, not the URL", async () => {
    const { host, log, bodies } = await downAndUp("gotify", { token: "AbCdEfGh12345" }, "/message");
    expect(log[0]?.path).toBe("/r/rf-gotify/message");
    expect(log[0]?.headers["x-gotify-key"]).toBe("AbCdEfGh12345");
    expect(bodies[0]).toMatchObject({ title: `${host} is blind: 0 seats (needs 2)`, priority: 8 });
    expect(bodies[1]).toMatchObject({ priority: 2 });
  });
});

describe("format matrix", () => {
  it("PUTs an m.notice to <url>/<txnId> with the event id as transaction id and the access token", async () => {
    const path = "/_matrix/client/v3/rooms/!room:example.org/send/m.room.message";
    const { host, log, bodies } = await downAndUp("matrix", { token: "syt_bot_token_123" }, path);
    expect(log.map((d) => d.method)).toEqual(["PUT", "PUT"]);
    const id = log[0]?.headers["webhook-id"] ?? "";
    expect(log[0]?.path).toBe(`/r/rf-matrix${path}/${encodeURIComponent(id)}`);
    expect(log[0]?.headers.authorization).toBe("Bearer syt_bot_token_123");
    expect(bodies[0]).toMatchObject({ msgtype: "m.notice" });
    expect(bodies[0]?.body).toContain(`${host} is blind`);
  });
});

describe("a storm of 1,000 hosts with long names, and one host with a 63-character name", () => {
  const filler = "y".repeat(50);
  const stateOf = (i: number) => (i % 2 ? "silent" : "error");
  const storm = stormEvent(1000, stateOf, filler);
  const long = { ...stormChange(1, stateOf(1), filler), host: "h".repeat(63) };
  const hookOf = (format: Webhook["format"]) =>
    ({ format, url: "https://receiver.example/x", token: "t".repeat(30), user: "u".repeat(30), chatId: "1" }) as const;
  const bodyOf = (format: Webhook["format"], event: AlertEvent) => JSON.parse(render(hookOf(format), event).body);

  it("fits Telegram's sendMessage text: 1-4096 characters (core.telegram.org/bots/api#sendmessage)", () => {
    for (const event of [storm, long]) {
      const { text } = bodyOf("telegram", event);
      expect(text.length).toBeGreaterThanOrEqual(1);
      expect(text.length).toBeLessThanOrEqual(4096);
    }
    expect(bodyOf("telegram", storm).text).toMatch(/\.\.\. and \d+ more/);
  });

  it("fits Teams' 28 KB message size (learn.microsoft.com, incoming webhooks: 'message size limit is 28 KB')", () => {
    for (const event of [storm, long]) {
      expect(new TextEncoder().encode(render(hookOf("teams"), event).body).length).toBeLessThanOrEqual(28 * 1024);
    }
  });

  it("fits Opsgenie's create-alert fields: message 130, alias 512, description 15,000, 20 tags of 50, entity 512, source 100 (docs.opsgenie.com/docs/alert-api)", () => {
    for (const event of [storm, long]) {
      const body = bodyOf("opsgenie", event);
      expect(body.message.length).toBeLessThanOrEqual(130);
      expect(body.alias.length).toBeLessThanOrEqual(512);
      expect(body.description.length).toBeLessThanOrEqual(15_000);
      expect(body.tags.length).toBeLessThanOrEqual(20);
      for (const tag of body.tags) expect(tag.length).toBeLessThanOrEqual(50);
      expect(body.entity.length).toBeLessThanOrEqual(512);
      expect(body.source.length).toBeLessThanOrEqual(100);
      expect(["P1", "P2", "P3", "P4", "P5"]).toContain(body.priority);
    }
  });

  it("fits Pushover's message 1,024, title 250, url 512 and url_title 100 characters (pushover.net/api#limits)", () => {
    for (const event of [storm, long]) {
      const body = bodyOf("pushover", event);
      expect(body.message.length).toBeLessThanOrEqual(1024);
      expect(body.title.length).toBeLessThanOrEqual(250);
      if (body.url !== undefined) expect(body.url.length).toBeLessThanOrEqual(512);
      if (body.url_title !== undefined) expect(body.url_title.length).toBeLessThanOrEqual(100);
      expect([-2, -1, 0, 1, 2]).toContain(body.priority);
    }
  });

  it("keeps Gotify's priority within 0-10 (gotify.net/api-docs) and bounds the message", () => {
    const body = bodyOf("gotify", storm);
    expect(body.priority).toBeGreaterThanOrEqual(0);
    expect(body.priority).toBeLessThanOrEqual(10);
    expect(body.message).toMatch(/\.\.\. and \d+ more/);
  });

  it("fits Matrix's 65,536-byte event (spec.matrix.org, 'Size limits')", () => {
    const bytes = new TextEncoder().encode(render(hookOf("matrix"), storm).body).length;
    expect(bytes).toBeLessThanOrEqual(65_536);
  });
});
