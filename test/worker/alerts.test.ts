import { env } from "cloudflare:workers";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_ATTEMPTS, retryDelayMs, send } from "../../worker/alerts/delivery.ts";
import { runCron } from "../../worker/cron.ts";
import { ledgerStub } from "../../worker/ledger/ledger.ts";
import { beat, cron, deliveries, events, hook, receiverUrl, runAlarm } from "./alerting.ts";
import { admin, call, enroll, sendBeat, testClock } from "./helpers.ts";

const { at, freshDay } = testClock("2027-03-01T00:00:00Z");

afterEach(() => {
  vi.useRealTimers();
});

describe("the dead-man's switch", () => {
  it("announces up → silent only once age exceeds graceSeconds, and the recovery once", async () => {
    const t0 = freshDay();
    await hook("silence", "silence");
    const host = await enroll("quiet-1", { graceSeconds: 60, labels: ["silence"] });
    await beat(host, { seats: 2 });
    await cron(at(t0 + 60_000));
    await runAlarm();
    expect(await events("silence")).toEqual([]);

    await cron(at(t0 + 61_000));
    await runAlarm();
    await cron(at(t0 + 121_000));
    await runAlarm();
    let got = await events("silence");
    expect(got.map((e) => [e.type, e.state, e.previous, e.id])).toEqual([
      ["host.transition", "silent", "up", `quiet-1.silent.${t0 + 60_000}`],
    ]);
    expect(got[0]?.since).toBe(new Date(t0 + 60_000).toISOString());

    at(t0 + 130_000);
    await beat(host, { seats: 2 });
    await runAlarm();
    await cron(at(t0 + 180_000));
    await runAlarm();
    got = await events("silence");
    expect(got.map((e) => [e.state, e.previous])).toEqual([
      ["silent", "up"],
      ["up", "silent"],
    ]);
    expect(got[1]?.id).toBe(`quiet-1.up.${t0 + 130_000}`);
  });

  it("announces blind, error and low from the beat path with no cron run, and the cron adds no duplicate", async () => {
    const t0 = freshDay();
    await hook("beatpath", "beatpath");
    const blind = await enroll("bp-blind", { labels: ["beatpath"] });
    const error = await enroll("bp-error", { labels: ["beatpath"] });
    const low = await enroll("bp-low", { minSeats: 3, labels: ["beatpath"] });
    for (const h of [blind, error, low]) await beat(h, { seats: 3 });
    at(t0 + 5_000);
    await beat(blind, { seats: 0 });
    await beat(error, { seats: 0, observed: "error", reason: "protocol_mismatch" });
    await beat(low, { seats: 1 });
    await runAlarm();
    const got = await events("beatpath");
    expect(got.map((e) => [e.host, e.state, e.reason]).sort()).toEqual([
      ["bp-blind", "blind", "zero_seats"],
      ["bp-error", "error", "protocol_mismatch"],
      ["bp-low", "low", "below_min_seats"],
    ]);

    await cron(at(t0 + 60_000));
    await cron(at(t0 + 120_000));
    await runAlarm();
    expect(await events("beatpath")).toHaveLength(3);
  });

  it("announces once when two cron runs interleave", async () => {
    const t0 = freshDay();
    await hook("overlap", "overlap");
    const hosts = await Promise.all(
      ["ov-1", "ov-2"].map((id) => enroll(id, { graceSeconds: 30, labels: ["overlap"] })),
    );
    for (const h of hosts) await beat(h);
    const kv = env.SEATWATCH_KV;
    const ledger = ledgerStub(env);
    at(t0 + 40_000);
    await Promise.all([
      runCron(kv, ledger, t0 + 40_000),
      runCron(kv, ledger, t0 + 40_000),
      runCron(kv, ledger, t0 + 41_000),
    ]);
    await runAlarm();
    expect((await events("overlap")).map((e) => e.host).sort()).toEqual(["ov-1", "ov-2"]);
  });

  // Why "interleave" once failed: which of its runs reaches the ledger first is left to chance,
  // and when the run dated t0+41 s announced, its alerts were queued due at t0+41 s, ahead of the
  // alarm's clock (t0+40 s), so that alarm sent nothing. This is that order, made certain.
  it("sends at once what a run dated ahead of the ledger's clock announced", async () => {
    const t0 = freshDay();
    await hook("ahead", "ahead");
    const host = await enroll("ahead-1", { graceSeconds: 30, labels: ["ahead"] });
    await beat(host);
    at(t0 + 40_000);
    await runCron(env.SEATWATCH_KV, ledgerStub(env), t0 + 41_000);
    await runCron(env.SEATWATCH_KV, ledgerStub(env), t0 + 40_000);
    await runAlarm();
    expect((await events("ahead")).map((e) => e.state)).toEqual(["silent"]);
  });

  it("ignores a cron run's stale view when a beat recovered the host while the run was listing", async () => {
    const t0 = freshDay();
    await hook("race", "race");
    const host = await enroll("race-1", { graceSeconds: 30, labels: ["race"] });
    await beat(host);
    await cron(at(t0 + 31_000));
    // The run lists KV (the host looks silent), then the host's recovery beat lands before the
    // run reaches the ledger.
    const kv = env.SEATWATCH_KV;
    const racing = new Proxy(kv, {
      get(target, prop) {
        if (prop !== "list") {
          const value = Reflect.get(target, prop);
          return typeof value === "function" ? value.bind(target) : value;
        }
        return async (options: KVNamespaceListOptions) => {
          const page = await target.list(options);
          if (options.prefix === "beat:") await beat(host);
          return page;
        };
      },
    });
    at(t0 + 90_000);
    const report = await runCron(racing, ledgerStub(env), t0 + 90_000);
    expect(report.handed).toBeGreaterThanOrEqual(1);
    await runAlarm();
    await cron(at(t0 + 110_000));
    await runAlarm();
    expect((await events("race")).map((e) => e.state)).toEqual(["silent", "up"]);
    const status = (await (await call("/v1/status")).json()) as {
      hosts: { id: string; state: string; since: string }[];
    };
    expect(status.hosts.find((h) => h.id === "race-1")).toMatchObject({
      state: "up",
      since: new Date(t0 + 90_000).toISOString(),
    });
  });
});

describe("the outbox", () => {
  it("delivers exactly once to a receiver that fails twice, retrying from the alarm with backoff", async () => {
    const t0 = freshDay();
    await hook("flaky", "flaky", "fail=2");
    const host = await enroll("flaky-1", { labels: ["flaky"] });
    await beat(host);
    at(t0 + 2_000);
    await beat(host, { seats: 0 });
    await runAlarm();
    // Not due yet: the retry waits for its backoff.
    at(t0 + 2_000 + retryDelayMs(1) - 1);
    await runAlarm();
    expect(await deliveries("flaky")).toHaveLength(1);
    at(t0 + 2_000 + retryDelayMs(1));
    await runAlarm();
    at(t0 + 2_000 + retryDelayMs(1) + retryDelayMs(2));
    await runAlarm();
    await runAlarm();
    const log = await deliveries("flaky");
    expect(log.map((d) => d.answered)).toEqual([500, 500, 200]);
    expect(new Set(log.map((d) => d.headers["webhook-id"]))).toEqual(new Set([`flaky-1.blind.${t0 + 2_000}`]));
    const listed = (await (await admin("GET", "/v1/webhooks")).json()) as {
      webhooks: { name: string; pending: number }[];
    };
    expect(listed.webhooks.find((w) => w.name === "flaky")?.pending).toBe(0);
  });

  it("cuts off a receiver that never answers", async () => {
    const result = await send({ method: "POST", url: receiverUrl("hang", "hang=1"), headers: {}, body: "{}" }, 300);
    expect(result).toEqual({ ok: false, status: null, error: "no answer within 300 ms" });
    expect(await deliveries("hang")).toHaveLength(1);
  });

  it("marks an alert undelivered after every attempt failed, shows it, and turns /v1/check 503 until the webhook is fixed", async () => {
    const t0 = freshDay();
    await hook("dead", "dead", "fail=1000");
    const host = await enroll("dead-1", { labels: ["dead"] });
    await beat(host);
    at(t0 + 2_000);
    await beat(host, { seats: 0, observed: "error", reason: "no_server" });
    let t = t0 + 2_000;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await runAlarm();
      t += retryDelayMs(attempt);
      at(t);
    }
    await runAlarm();
    expect(await deliveries("dead")).toHaveLength(MAX_ATTEMPTS);
    const listed = (await (await admin("GET", "/v1/webhooks")).json()) as {
      webhooks: {
        name: string;
        undeliveredCount: number;
        undelivered: { id: string; attempts: number; lastError: string }[];
      }[];
    };
    const dead = listed.webhooks.find((w) => w.name === "dead");
    expect(dead?.undeliveredCount).toBe(1);
    expect(dead?.undelivered[0]).toMatchObject({ id: `dead-1.error.${t0 + 2_000}`, attempts: MAX_ATTEMPTS });
    expect(dead?.undelivered[0]?.lastError).toContain("HTTP 500");

    await cron(t);
    const status = (await (await call("/v1/status")).json()) as { monitor: { undelivered: number } };
    expect(status.monitor.undelivered).toBe(1);
    const check = await call("/v1/check");
    expect(check.status).toBe(503);
    expect(await check.text()).toContain("alerts: 1 undelivered after all retries (GET /v1/webhooks)");
    expect((await (await call("/metrics")).text()).split("\n")).toContain("seatwatch_alerts_undelivered 1");

    await admin("PUT", "/v1/webhooks/dead", { url: receiverUrl("dead-fixed"), labels: ["dead"] });
    expect(
      ((await (await call("/v1/status")).json()) as { monitor: { undelivered: number } }).monitor.undelivered,
    ).toBe(0);
  });

  it("signs json deliveries so the official standardwebhooks package verifies them, with DESIGN §4's body", async () => {
    const t0 = freshDay();
    const { secret } = await hook("signed", "signed");
    const host = await enroll("signed-1", { minSeats: 2, labels: ["signed"] });
    await beat(host, { seats: 2 });
    at(t0 + 3_000);
    await beat(host, { seats: 1 });
    await runAlarm();
    const [delivery] = await deliveries("signed");
    if (!delivery) throw new Error("no delivery");
    const verified = new StandardWebhook(secret).verify(delivery.body, delivery.headers);
    expect(verified).toEqual({
      type: "host.transition",
      id: `signed-1.low.${t0 + 3_000}`,
      host: "signed-1",
      state: "low",
      previous: "up",
      reason: "below_min_seats",
      seats: 1,
      minSeats: 2,
      lastSeen: new Date(t0 + 3_000).toISOString(),
      since: new Date(t0 + 3_000).toISOString(),
      at: new Date(t0 + 3_000).toISOString(),
      links: { host: "https://seatwatch.test/v1/hosts/signed-1", badge: "https://seatwatch.test/badge/signed-1.svg" },
    });
    expect(delivery.headers["webhook-id"]).toBe(`signed-1.low.${t0 + 3_000}`);
    expect(() => new StandardWebhook(secret).verify(delivery.body.replace("low", "up"), delivery.headers)).toThrow();
  });

  it("sends a webhook only the hosts carrying one of its labels", async () => {
    const t0 = freshDay();
    await hook("gpu-only", "gpu");
    const gpu = await enroll("lab-gpu", { labels: ["gpu", "rack-1"] });
    const cpu = await enroll("lab-cpu", { labels: ["cpu"] });
    for (const h of [gpu, cpu]) await beat(h);
    at(t0 + 2_000);
    for (const h of [gpu, cpu]) await beat(h, { seats: 0 });
    await runAlarm();
    expect((await events("gpu-only")).map((e) => e.host)).toEqual(["lab-gpu"]);
  });
});

describe("the monitor watching itself", () => {
  it("is stale before its first run and after 3 minutes without one, and /v1/check says so", async () => {
    const t0 = freshDay();
    const host = await enroll("self-1");
    await sendBeat(host);
    await cron(t0);
    let res = await call("/v1/check");
    expect(await res.text()).not.toContain("monitor");
    const status = (await (await call("/v1/status")).json()) as { monitor: Record<string, unknown> };
    expect(status.monitor).toMatchObject({ lastCronAt: new Date(t0).toISOString(), stale: false });

    at(t0 + 180_000);
    expect(await (await call("/v1/check")).text()).not.toContain("monitor");
    at(t0 + 181_000);
    await sendBeat(host);
    res = await call("/v1/check");
    expect(res.status).toBe(503);
    expect(await res.text()).toContain(`monitor: stale (last cron run ${new Date(t0).toISOString()})`);
  });
});

describe("WATCHDOG_URL", () => {
  it("is pinged after every cron run that finishes", async () => {
    const t0 = freshDay();
    await cron(t0, { WATCHDOG_URL: receiverUrl("watchdog") });
    await cron(at(t0 + 60_000), { WATCHDOG_URL: receiverUrl("watchdog") });
    await cron(at(t0 + 120_000));
    expect((await deliveries("watchdog")).map((d) => d.method)).toEqual(["GET", "GET"]);
  });
});

describe("since", () => {
  it("is the ledger's on every read face once the ledger knows the state", async () => {
    const t0 = freshDay();
    const host = await enroll("since-1", { minSeats: 2 });
    await beat(host, { seats: 2 });
    // Raising minSeats makes the host low without a beat: KV's record cannot say since when.
    await admin("PATCH", "/v1/hosts/since-1", { minSeats: 3 });
    const judged = at(t0 + 60_000);
    await cron(judged);
    at(t0 + 90_000);
    const detail = (await (await call("/v1/hosts/since-1")).json()) as { state: string; since: string | null };
    const listed = (await (await call("/v1/hosts")).json()) as { hosts: { id: string; since: string | null }[] };
    const status = (await (await call("/v1/status")).json()) as { hosts: { id: string; since: string | null }[] };
    expect(detail).toMatchObject({ state: "low", since: new Date(judged).toISOString() });
    expect(listed.hosts.find((h) => h.id === "since-1")?.since).toBe(detail.since);
    expect(status.hosts.find((h) => h.id === "since-1")?.since).toBe(detail.since);
  });
});
