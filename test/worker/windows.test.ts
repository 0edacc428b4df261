/** Maintenance windows (DESIGN §6) through the API, the beat path and the cron, with time injected. */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { beat, cron, events, hook, runAlarm } from "./alerting.ts";
import { admin, call, enroll, expectError } from "./helpers.ts";

afterEach(() => {
  vi.useRealTimers();
});

const t = (iso: string) => {
  const ms = Date.parse(iso);
  vi.setSystemTime(ms);
  return ms;
};

interface StatusHost {
  id: string;
  state: string;
  reason: string | null;
  since: string | null;
  maintenance?: { window: string; endsAt: string };
}

async function statusOf(id: string): Promise<StatusHost | undefined> {
  const doc = (await (await call("/v1/status")).json()) as { hosts: StatusHost[] };
  return doc.hosts.find((h) => h.id === id);
}

const nightly = (labels: string[]) => ({ labels, days: "mon-sun", from: "22:00", to: "06:00", tz: "Europe/Berlin" });

describe("PUT /v1/maintenance/:name", () => {
  it("creates a window (201), replaces it (200), lists it with where it stands, and deletes it (204)", async () => {
    t("2027-09-01T12:00:00Z");
    const created = await admin("PUT", "/v1/maintenance/api-nightly", { ...nightly(["api"]), note: "backups" });
    expect(created.status, await created.clone().text()).toBe(201);
    expect(await created.json()).toMatchObject({ name: "api-nightly", labels: ["api"], hosts: [], note: "backups" });
    expect((await admin("PUT", "/v1/maintenance/api-nightly", nightly(["api"]))).status).toBe(200);

    // 12:00Z is 14:00 in Berlin: outside, next start 22:00 CEST = 20:00Z.
    const listed = (await (await admin("GET", "/v1/maintenance")).json()) as { maintenance: Record<string, unknown>[] };
    expect(listed.maintenance.find((w) => w.name === "api-nightly")).toMatchObject({
      inside: false,
      endsAt: null,
      nextStart: "2027-09-01T20:00:00.000Z",
      note: null,
    });
    t("2027-09-01T23:00:00Z");
    expect(await (await admin("GET", "/v1/maintenance/api-nightly")).json()).toMatchObject({
      inside: true,
      endsAt: "2027-09-02T04:00:00.000Z",
      nextStart: null,
    });

    expect((await admin("DELETE", "/v1/maintenance/api-nightly")).status).toBe(204);
    await expectError(await admin("GET", "/v1/maintenance/api-nightly"), 404, "unknown_window");
    await expectError(await admin("DELETE", "/v1/maintenance/api-nightly"), 404, "unknown_window");
  });

  it("refuses an unknown zone, a malformed field or a window that names no hosts, naming the field, and stores nothing", async () => {
    const before = await env.SEATWATCH_KV.get("maintenance");
    const cases: [Record<string, unknown>, string][] = [
      [{ ...nightly(["x"]), tz: "Mars/Olympus" }, "tz"],
      [{ ...nightly(["x"]), from: "24:00" }, "from"],
      [{ ...nightly(["x"]), days: "weekdays" }, "days"],
      [{ ...nightly([]) }, "hosts"],
      [{ ...nightly(["x"]), hosts: ["Not A Host"] }, "hosts"],
      [{ ...nightly(["x"]), when: "always" }, "when"],
    ];
    for (const [body, field] of cases) {
      const res = await admin("PUT", "/v1/maintenance/bad", body);
      const text = await res.text();
      expect(res.status, text).toBe(400);
      const { error } = JSON.parse(text) as { error: { code: string; details: { field: string }[] } };
      expect(error.code).toBe("invalid_window");
      expect(error.details.map((d) => d.field)).toContain(field);
    }
    await expectError(await admin("PUT", "/v1/maintenance/Bad Name", nightly(["x"])), 400, "invalid_window");
    expect(await env.SEATWATCH_KV.get("maintenance")).toBe(before);
    await expectError(await admin("GET", "/v1/maintenance/bad"), 404, "unknown_window");
  });

  it("needs the admin token", async () => {
    await expectError(await call("/v1/maintenance"), 401, "unauthorized");
  });
});

describe("inside a window", () => {
  it("pauses hosts by label across midnight with reason maintenance:<name> and sends nothing; others still alert", async () => {
    t("2027-09-06T19:50:00Z"); // 21:50 CEST, Monday
    await hook("win-label", "win-label");
    expect((await admin("PUT", "/v1/maintenance/win-label", nightly(["win-gpu"]))).status).toBe(201);
    const gpu = await enroll("wl-gpu", { graceSeconds: 60, labels: ["win-label", "win-gpu"] });
    const cpu = await enroll("wl-cpu", { graceSeconds: 60, labels: ["win-label"] });
    await beat(gpu, { seats: 2 });
    await beat(cpu, { seats: 2 });

    // 01:30 CEST on Tuesday: the window runs past midnight.
    await cron(t("2027-09-06T23:30:00Z"));
    await runAlarm();

    expect((await events("win-label")).map((e) => `${e.host}:${e.state}`)).toEqual(["wl-cpu:silent"]);
    expect(await statusOf("wl-gpu")).toMatchObject({
      state: "paused",
      reason: "maintenance:win-label",
      maintenance: { window: "win-label", endsAt: "2027-09-07T04:00:00.000Z" },
    });
    const dashboard = await (await call("/")).text();
    expect(dashboard).toContain("maintenance:win-label");
    expect(dashboard).toMatch(/ends in 4h/);
    await admin("DELETE", "/v1/maintenance/win-label");
  });

  it("pauses a host on the beat path too: a beat inside the window answers paused", async () => {
    t("2027-09-08T21:00:00Z"); // 23:00 CEST
    expect((await admin("PUT", "/v1/maintenance/win-beat", { ...nightly([]), hosts: ["wb-1"] })).status).toBe(201);
    const host = await enroll("wb-1", { labels: ["win-beat"] });
    const answer = (await (await beat(host, { seats: 0 })).json()) as { state: string; reason: string };
    expect(answer).toMatchObject({ state: "paused", reason: "maintenance:win-beat" });
    await admin("DELETE", "/v1/maintenance/win-beat");
  });
});

describe("when a window ends", () => {
  it("counts grace from its end for a host that went quiet inside it: silent only after, once, dated then", async () => {
    t("2027-09-13T19:55:00Z"); // 21:55 CEST
    await hook("win-end", "win-end");
    expect((await admin("PUT", "/v1/maintenance/win-end", nightly(["win-end"]))).status).toBe(201);
    const host = await enroll("we-1", { graceSeconds: 300, labels: ["win-end"] });
    await beat(host, { seats: 2 });
    const end = Date.parse("2027-09-14T04:00:00Z");

    for (const at of [end - 60_000, end + 60_000, end + 299_000]) {
      await cron(t(new Date(at).toISOString()));
      await runAlarm();
    }
    expect(await events("win-end")).toEqual([]);
    expect((await statusOf("we-1"))?.state).toBe("paused");

    await cron(t(new Date(end + 301_000).toISOString()));
    await runAlarm();
    await cron(t(new Date(end + 361_000).toISOString()));
    await runAlarm();
    const got = await events("win-end");
    expect(got.map((e) => [e.state, e.since])).toEqual([["silent", new Date(end + 300_000).toISOString()]]);
    await admin("DELETE", "/v1/maintenance/win-end");
  });

  it("sends nothing for a host that was up through it and beats on after it", async () => {
    t("2027-09-20T19:55:00Z");
    await hook("win-up", "win-up");
    expect((await admin("PUT", "/v1/maintenance/win-up", nightly(["win-up"]))).status).toBe(201);
    const host = await enroll("wu-1", { graceSeconds: 300, labels: ["win-up"] });
    const end = Date.parse("2027-09-21T04:00:00Z");
    // Beats every two minutes from before the window to well after it, a cron run each minute around the end.
    for (let at = end - 10 * 60_000; at <= end + 10 * 60_000; at += 60_000) {
      t(new Date(at).toISOString());
      if ((at / 60_000) % 2 === 0) await beat(host, { seats: 2 });
      await cron(at);
      await runAlarm();
    }
    expect(await events("win-up")).toEqual([]);
    expect((await statusOf("wu-1"))?.state).toBe("up");
    await admin("DELETE", "/v1/maintenance/win-up");
  });
});

describe("windows across DST changes, judged in workerd", () => {
  it("keeps a New York 01:00-03:00 window on the spring-forward night and ends it at 03:00 EDT", async () => {
    t("2027-03-14T05:50:00Z"); // 00:50 EST
    await hook("win-ny", "win-ny");
    const window = { labels: ["win-ny"], days: "sun", from: "01:00", to: "03:00", tz: "America/New_York" };
    expect((await admin("PUT", "/v1/maintenance/win-ny", window)).status).toBe(201);
    const host = await enroll("wny-1", { graceSeconds: 60, labels: ["win-ny"] });
    await beat(host, { seats: 2 });

    await cron(t("2027-03-14T06:30:00Z")); // 01:30 EST: inside
    expect(await statusOf("wny-1")).toMatchObject({
      state: "paused",
      maintenance: { endsAt: "2027-03-14T07:00:00.000Z" },
    });
    await cron(t("2027-03-14T07:00:59Z")); // 03:00:59 EDT: ended, within grace of the end
    await runAlarm();
    expect(await events("win-ny")).toEqual([]);
    await cron(t("2027-03-14T07:01:01Z"));
    await runAlarm();
    expect((await events("win-ny")).map((e) => e.state)).toEqual(["silent"]);
    await admin("DELETE", "/v1/maintenance/win-ny");
  });

  it("opens a Berlin 02:30 window on the spring-forward night at 03:30 CEST, the skipped time moved forward", async () => {
    t("2027-03-28T00:50:00Z");
    const window = { hosts: ["wbe-1"], days: "sun", from: "02:30", to: "04:00", tz: "Europe/Berlin" };
    expect((await admin("PUT", "/v1/maintenance/win-berlin", window)).status).toBe(201);
    const host = await enroll("wbe-1", { graceSeconds: 3600 });
    await beat(host, { seats: 2 });
    t("2027-03-28T01:20:00Z"); // 03:20 CEST: before the moved start
    expect((await statusOf("wbe-1"))?.state).toBe("up");
    t("2027-03-28T01:40:00Z"); // 03:40 CEST
    expect(await statusOf("wbe-1")).toMatchObject({ state: "paused", reason: "maintenance:win-berlin" });
    await admin("DELETE", "/v1/maintenance/win-berlin");
  });
});
