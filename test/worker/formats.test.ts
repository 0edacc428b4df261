import { env } from "cloudflare:workers";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { signV1 } from "../../protocol/signing.ts";
import { PAGERDUTY_EVENTS_URL } from "../../protocol/webhooks.ts";
import { type DiscordEmbed, discordBody } from "../../worker/alerts/formats/discord.ts";
import { NTFY_MAX_BODY, ntfyRequest } from "../../worker/alerts/formats/ntfy.ts";
import { slackBody } from "../../worker/alerts/formats/slack.ts";
import { runCron } from "../../worker/cron.ts";
import { ledgerStub } from "../../worker/ledger/ledger.ts";
import { beat, deliveries, hook, runAlarm, stormEvent } from "./alerting.ts";
import { admin, enroll, expectError, testClock } from "./helpers.ts";
import { seedFleet } from "./seed.ts";

const { at, freshDay } = testClock("2027-06-01T00:00:00Z");
afterEach(() => {
  vi.useRealTimers();
});

const ROUTING_KEY = "R0123456789abcdef0123456789abcde";

/** A host that goes blind, then recovers, heard by a webhook of `format`; returns what it received. */
async function downAndUp(format: string, extra: Record<string, unknown> = {}) {
  const t0 = freshDay();
  const label = `fmt-${format}`;
  const { secret } = await hook(label, label, "", { format, ...extra });
  const host = await enroll(`${label}-1`, { minSeats: 2, labels: [label] });
  await beat(host, { seats: 2 });
  const down = at(t0 + 2_000);
  await beat(host, { seats: 0 });
  await runAlarm();
  const back = at(t0 + 600_000);
  await beat(host, { seats: 3 });
  await runAlarm();
  const log = await deliveries(label);
  expect(log.map((d) => d.answered)).toEqual([200, 200]);
  // Every format is signed alike, so a proxy in front of any receiver can verify it.
  for (const d of log) {
    at(Number(d.headers["webhook-timestamp"]) * 1000);
    // The library parses what it verifies as JSON; ntfy's body is text, so check its HMAC directly.
    if (format === "ntfy") {
      const expected = await signV1(
        secret,
        d.headers["webhook-id"] ?? "",
        Number(d.headers["webhook-timestamp"]),
        d.body,
      );
      expect(d.headers["webhook-signature"]).toBe(expected["webhook-signature"]);
    } else {
      expect(() => new StandardWebhook(secret).verify(d.body, d.headers)).not.toThrow();
    }
  }
  return { host: host.id, down, back, log };
}

describe("format slack", () => {
  it("sends incoming-webhook Block Kit: a header, the facts as fields, a context link, and text for notifications", async () => {
    const { host, down, log } = await downAndUp("slack");
    const body = JSON.parse(log[0]?.body ?? "{}");
    expect(log[0]?.headers["content-type"]).toBe("application/json");
    expect(body.text).toBe(`${host} is blind: 0 seats (needs 2)`);
    expect(body.blocks.map((b: { type: string }) => b.type)).toEqual(["header", "section", "context"]);
    expect(body.blocks[0].text).toEqual({ type: "plain_text", text: `:red_circle: ${body.text}`, emoji: true });
    expect(body.blocks[1].fields).toEqual([
      { type: "mrkdwn", text: "*State*\nblind (was up)" },
      { type: "mrkdwn", text: "*Seats*\n0 (min 2)" },
      { type: "mrkdwn", text: "*Reason*\nzero_seats" },
      { type: "mrkdwn", text: `*Since*\n${new Date(down).toISOString()}` },
    ]);
    expect(body.blocks[2].elements[0].text).toContain(`<https://seatwatch.test/v1/hosts/${host}|${host}>`);
    expect(JSON.parse(log[1]?.body ?? "{}").text).toBe(`${host} is up again: 3 seats (was blind)`);
  });
});

describe("format discord", () => {
  it("sends one embed with title, link, colour by state, the facts as inline fields and an ISO timestamp", async () => {
    const { host, down, log } = await downAndUp("discord");
    const [failure, recovery] = log.map((d) => JSON.parse(d.body) as { username: string; embeds: DiscordEmbed[] });
    expect(failure?.username).toBe("seatwatch");
    expect(failure?.embeds).toHaveLength(1);
    expect(failure?.embeds[0]).toMatchObject({
      title: `${host} is blind: 0 seats (needs 2)`,
      url: `https://seatwatch.test/v1/hosts/${host}`,
      timestamp: new Date(down).toISOString(),
      footer: { text: `${host}.blind.${down}` },
    });
    expect(failure?.embeds[0]?.fields.map((f) => [f.name, f.value, f.inline])).toEqual([
      ["State", "blind (was up)", true],
      ["Seats", "0 (min 2)", true],
      ["Reason", "zero_seats", true],
      ["Since", new Date(down).toISOString(), true],
    ]);
    expect(Number.isInteger(failure?.embeds[0]?.color)).toBe(true);
    expect(recovery?.embeds[0]?.color).not.toBe(failure?.embeds[0]?.color);
  });
});

describe("format pagerduty", () => {
  it("triggers on failure and resolves on recovery with the same dedup_key (the host)", async () => {
    const { host, down, log } = await downAndUp("pagerduty", { routingKey: ROUTING_KEY });
    const [trigger, resolve] = log.map((d) => JSON.parse(d.body));
    expect(trigger).toEqual({
      routing_key: ROUTING_KEY,
      event_action: "trigger",
      dedup_key: host,
      payload: {
        summary: `${host} is blind: 0 seats (needs 2)`,
        source: host,
        severity: "critical",
        timestamp: new Date(down).toISOString(),
        class: "blind",
        custom_details: expect.objectContaining({ id: `${host}.blind.${down}`, state: "blind", seats: 0 }),
      },
      links: [{ href: `https://seatwatch.test/v1/hosts/${host}`, text: `seatwatch: ${host}` }],
      client: "seatwatch",
      client_url: `https://seatwatch.test/v1/hosts/${host}`,
    });
    expect(resolve).toEqual({ routing_key: ROUTING_KEY, event_action: "resolve", dedup_key: host });
  });

  it("re-triggers the host's incident for a reminder, and a low host is a warning", async () => {
    const t0 = freshDay();
    await hook("pd-remind", "pd-remind", "", { format: "pagerduty", routingKey: ROUTING_KEY });
    const host = await enroll("pd-low-1", { minSeats: 3, repeatEvery: 600, labels: ["pd-remind"] });
    await beat(host, { seats: 3 });
    at(t0 + 2_000);
    await beat(host, { seats: 1 });
    await runAlarm();
    at(t0 + 602_000);
    await runAlarm();
    const sent = (await deliveries("pd-remind")).map((d) => JSON.parse(d.body));
    expect(sent.map((b) => [b.event_action, b.dedup_key, b.payload.severity])).toEqual([
      ["trigger", "pd-low-1", "warning"],
      ["trigger", "pd-low-1", "warning"],
    ]);
    expect(sent[1].payload.summary).toBe("Still down: pd-low-1 is low: 1 of 3 seats");
  });

  it("gets one event per host in a storm, never a summary no recovery could resolve", async () => {
    const t0 = freshDay();
    await hook("pd-storm", "pd-storm", "", { format: "pagerduty", routingKey: ROUTING_KEY });
    const ids = Array.from({ length: 7 }, (_, i) => `pd-storm-${i}`);
    await seedFleet(
      env.SEATWATCH_KV,
      ids.map((id) => ({ id, lastSeen: t0 - 600_000, policy: { labels: ["pd-storm"] } })),
    );
    await runCron(env.SEATWATCH_KV, ledgerStub(env), t0);
    await runAlarm();
    const sent = (await deliveries("pd-storm")).map((d) => JSON.parse(d.body));
    expect(sent.map((b) => b.dedup_key).sort()).toEqual(ids);
  });

  it("needs a routingKey, defaults the URL to the Events API, and never lists the key", async () => {
    const error = await expectError(
      await admin("PUT", "/v1/webhooks/pd-nokey", { format: "pagerduty" }),
      400,
      "invalid_webhook",
    );
    expect(error.message).toContain("Integration Key");
    await expectError(
      await admin("PUT", "/v1/webhooks/slack-key", {
        url: "https://hooks.slack.com/services/T/B/X",
        format: "slack",
        routingKey: ROUTING_KEY,
      }),
      400,
      "invalid_webhook",
    );
    // Labelled for no host, so no test delivery ever leaves for the real PagerDuty.
    const res = await admin("PUT", "/v1/webhooks/pd-default", {
      format: "pagerduty",
      routingKey: ROUTING_KEY,
      labels: ["no-such-host"],
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ url: PAGERDUTY_EVENTS_URL, routingKey: "***" });
    const listed = await (await admin("GET", "/v1/webhooks")).text();
    expect(listed).not.toContain(ROUTING_KEY);
    expect(listed).toContain(PAGERDUTY_EVENTS_URL);
  });
});

describe("format ntfy", () => {
  it("puts title, priority, tags and the click link in ntfy's headers and the facts in a plain-text body", async () => {
    const { host, down, log } = await downAndUp("ntfy");
    const [failure, recovery] = log;
    expect(failure?.headers).toMatchObject({
      "content-type": "text/plain; charset=utf-8",
      title: `${host} is blind: 0 seats (needs 2)`,
      priority: "5",
      tags: "rotating_light,seatwatch,blind",
      click: `https://seatwatch.test/v1/hosts/${host}`,
    });
    expect(failure?.body).toBe(
      [
        "state: blind (was up)",
        "seats: 0 (min 2)",
        "reason: zero_seats",
        `since: ${new Date(down).toISOString()}`,
        `id: ${host}.blind.${down}`,
      ].join("\n"),
    );
    expect(recovery?.headers).toMatchObject({ priority: "3", tags: "white_check_mark,seatwatch,up" });
  });
});

/**
 * The platforms' published limits, written out here rather than imported from the code under test,
 * so a wrong constant there fails these tests instead of passing them.
 * Discord: https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 * Slack: https://docs.slack.dev/reference/block-kit/blocks (50 blocks a message),
 * …/blocks/header-block (150), …/blocks/section-block (text 3000; fields ≤ 10, each ≤ 2000).
 */
const DISCORD = {
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  authorName: 256,
  total: 6000,
};
const SLACK = { blocks: 50, header: 150, sectionText: 3000, fields: 10, fieldText: 2000 };

/** Discord counts title, description, field names and values, footer text and author name of every embed. */
function embedText(embeds: DiscordEmbed[]): number {
  return embeds.reduce(
    (n, e) =>
      n +
      e.title.length +
      (e.description?.length ?? 0) +
      e.footer.text.length +
      e.fields.reduce((m, f) => m + f.name.length + f.value.length, 0),
    0,
  );
}

function fitsDiscord(embeds: DiscordEmbed[]): void {
  expect(embeds.length).toBeLessThanOrEqual(DISCORD.embeds);
  for (const embed of embeds) {
    expect(embed.title.length).toBeLessThanOrEqual(DISCORD.title);
    expect(embed.description?.length ?? 0).toBeLessThanOrEqual(DISCORD.description);
    expect(embed.fields.length).toBeLessThanOrEqual(DISCORD.fields);
    for (const f of embed.fields) {
      expect(f.name.length).toBeLessThanOrEqual(DISCORD.fieldName);
      expect(f.value.length).toBeLessThanOrEqual(DISCORD.fieldValue);
    }
    expect(embed.footer.text.length).toBeLessThanOrEqual(DISCORD.footer);
  }
  expect(embedText(embeds)).toBeLessThanOrEqual(DISCORD.total);
}

interface SlackBlock {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
}

function fitsSlack(blocks: SlackBlock[]): void {
  expect(blocks.length).toBeLessThanOrEqual(SLACK.blocks);
  for (const block of blocks) {
    if (block.type === "header") expect(block.text?.text.length).toBeLessThanOrEqual(SLACK.header);
    if (block.type !== "section") continue;
    expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK.sectionText);
    expect(block.fields?.length ?? 0).toBeLessThanOrEqual(SLACK.fields);
    for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK.fieldText);
  }
}

describe("a storm of 1,000 hosts with long names", () => {
  const storm = stormEvent(1000, (i) => (i % 3 === 0 ? "error" : "silent"), "x".repeat(40));

  it("fits Discord's embed limits and says how many did not fit", () => {
    const { embeds } = discordBody(storm);
    const [embed] = embeds;
    if (!embed) throw new Error("no embed");
    fitsDiscord(embeds);
    expect(embed.title).toBe("1000 hosts changed: 1000 down or degraded, 0 recovered");
    expect(embed.description).toMatch(/\n\.\.\. and \d+ more \(GET \/v1\/status\)$/);
    const shown = (embed.description ?? "").split("\n").length - 1;
    expect(embed.description).toContain(`and ${1000 - shown} more`);
  });

  it("fits Slack's Block Kit limits", () => {
    const body = slackBody(storm) as { text: string; blocks: SlackBlock[] };
    fitsSlack(body.blocks);
    expect(body.blocks[0]?.type).toBe("header");
    const section = body.blocks.find((b) => b.type === "section");
    expect(section?.text?.text).toMatch(/\.\.\. and \d+ more/);
  });

  it("fits ntfy's message size, so it is not turned into an attachment", () => {
    const { body, headers } = ntfyRequest(storm);
    expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(NTFY_MAX_BODY);
    expect(headers.priority).toBe("5");
    // Header values must be Latin-1 for fetch; ours are ASCII.
    for (const value of Object.values(headers)) expect(value).toMatch(/^[\x20-\x7e]*$/);
  });
});
