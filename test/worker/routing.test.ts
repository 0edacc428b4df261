import { afterEach, describe, expect, it, vi } from "vitest";
import { STATES } from "../../protocol/verdict.ts";
import { beat, cron, events, hook, runAlarm } from "./alerting.ts";
import { admin, enroll, expectError, testClock } from "./helpers.ts";

const { at, freshDay } = testClock("2027-05-01T00:00:00Z");
afterEach(() => {
  vi.useRealTimers();
});

const PAGER = ["silent", "error", "blind"];
// The chat hears the degraded states this Worker judges (waiting and stalled where it has them).
const CHAT = STATES.filter((s) => ["low", "waiting", "stalled"].includes(s));

/** Three receivers on one label: a pager, a chat, and one that hears everything. */
async function receivers(label: string) {
  await hook(`${label}-pager`, label, "", { states: PAGER });
  await hook(`${label}-chat`, label, "", { states: CHAT });
  await hook(`${label}-all`, label);
}

/** What a receiver heard, as a set: deliveries to one receiver go out concurrently, so their order is not promised. */
async function heard(name: string): Promise<string[]> {
  return (await events(name)).map((e) => `${e.host}:${e.state}`).sort();
}

describe("routing by state", () => {
  it("sends each receiver exactly the transitions and recoveries it should hear, once", async () => {
    const t0 = freshDay();
    const label = "matrix";
    await receivers(label);
    const policy = { minSeats: 2, labels: [label] };
    const low = await enroll("m-low", policy);
    const blind = await enroll("m-blind", policy);
    const error = await enroll("m-error", policy);
    const silent = await enroll("m-silent", { ...policy, graceSeconds: 60 });
    const both = await enroll("m-both", policy);
    for (const h of [low, blind, error, silent, both]) await beat(h, { seats: 2 });

    at(t0 + 10_000);
    await beat(low, { seats: 1 });
    await beat(blind, { seats: 0 });
    await beat(error, { observed: "error", reason: "no_server" });
    await beat(both, { seats: 1 });
    await runAlarm();
    at(t0 + 20_000);
    await beat(both, { seats: 0 });
    await runAlarm();
    // m-silent stops beating; the cron finds it silent after its minute of grace.
    await cron(at(t0 + 90_000));
    await runAlarm();

    at(t0 + 100_000);
    for (const h of [low, blind, error, silent, both]) await beat(h, { seats: 2 });
    await runAlarm();
    await cron(at(t0 + 150_000));
    await runAlarm();

    expect(await heard(`${label}-pager`)).toEqual(
      [
        "m-blind:blind",
        "m-error:error",
        "m-both:blind",
        "m-silent:silent",
        "m-blind:up",
        "m-error:up",
        "m-silent:up",
        "m-both:up",
      ].sort(),
    );
    expect(await heard(`${label}-chat`)).toEqual(["m-low:low", "m-both:low", "m-low:up", "m-both:up"].sort());
    expect(await heard(`${label}-all`)).toEqual(
      [
        "m-low:low",
        "m-blind:blind",
        "m-error:error",
        "m-both:low",
        "m-both:blind",
        "m-silent:silent",
        "m-low:up",
        "m-blind:up",
        "m-error:up",
        "m-silent:up",
        "m-both:up",
      ].sort(),
    );
    for (const name of ["pager", "chat", "all"]) {
      const ids = (await events(`${label}-${name}`)).map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it("sends a reminder only to receivers that hear the state it repeats", async () => {
    const t0 = freshDay();
    const label = "remind-route";
    await receivers(label);
    const host = await enroll("rr-1", { minSeats: 2, repeatEvery: 600, labels: [label] });
    await beat(host, { seats: 2 });
    at(t0 + 1_000);
    await beat(host, { seats: 1 });
    await runAlarm();
    at(t0 + 601_000);
    await runAlarm();

    expect((await events(`${label}-chat`)).map((e) => e.type)).toEqual(["host.transition", "host.reminder"]);
    expect((await events(`${label}-all`)).map((e) => e.type)).toEqual(["host.transition", "host.reminder"]);
    expect(await events(`${label}-pager`)).toEqual([]);
  });

  it("summarises a storm per receiver from what it hears, and sends none to a receiver that hears none of it", async () => {
    const t0 = freshDay();
    const label = "storm-route";
    await receivers(label);
    const hosts = [];
    for (let i = 0; i < 7; i++) hosts.push(await enroll(`sr-${i}`, { graceSeconds: 60, labels: [label] }));
    for (const h of hosts) await beat(h, { seats: 2 });
    await cron(at(t0 + 90_000));
    await runAlarm();

    const pager = await events(`${label}-pager`);
    expect(pager.map((e) => [e.type, e.changes?.length])).toEqual([["fleet.summary", 7]]);
    expect(await events(`${label}-chat`)).toEqual([]);
  });

  it("reminds the receivers of the labels a host has now, not those it had when it went down", async () => {
    const t0 = freshDay();
    await hook("relabel-new", "relabel-new");
    const host = await enroll("rl-1", { graceSeconds: 60, repeatEvery: 600, labels: ["relabel-old"] });
    await beat(host, { seats: 2 });
    await cron(at(t0 + 90_000));
    await runAlarm();
    expect(await events("relabel-new")).toEqual([]);

    expect((await admin("PATCH", "/v1/hosts/rl-1", { labels: ["relabel-new"] })).status).toBe(200);
    await cron(at(t0 + 150_000));
    at(t0 + 691_000);
    await runAlarm();

    expect((await events("relabel-new")).map((e) => [e.type, e.host])).toEqual([["host.reminder", "rl-1"]]);
  });

  it("lists the states a webhook hears, null for every state", async () => {
    await hook("listed-pager", "listed", "", { states: ["blind", "silent"] });
    await hook("listed-all", "listed");
    const { webhooks } = (await (await admin("GET", "/v1/webhooks")).json()) as {
      webhooks: { name: string; states: unknown }[];
    };
    expect(webhooks.find((w) => w.name === "listed-pager")?.states).toEqual(["blind", "silent"]);
    expect(webhooks.find((w) => w.name === "listed-all")?.states).toBeNull();
  });

  it("refuses an unknown state or an empty list, naming the field, and stores nothing", async () => {
    for (const states of [["asleep"], [], "silent"]) {
      const res = await admin("PUT", "/v1/webhooks/bad-states", { url: "http://127.0.0.1/x", states });
      const error = await expectError(res, 400, "invalid_webhook");
      expect(error.message).toContain("states must be a non-empty array");
    }
    expect((await admin("DELETE", "/v1/webhooks/bad-states")).status).toBe(404);
  });
});
