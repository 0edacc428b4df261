import { afterEach, describe, expect, it, vi } from "vitest";
import { beat, cron, events, hook, runAlarm } from "./alerting.ts";
import { admin, call, enroll, expectError, kvSnapshot, testClock } from "./helpers.ts";

const { at, freshDay } = testClock("2027-08-01T00:00:00Z");
afterEach(() => {
  vi.useRealTimers();
});

async function stateOf(id: string): Promise<string> {
  const body = (await (await call(`/v1/hosts/${id}`)).json()) as { state: string };
  return body.state;
}

describe("PATCH /v1/hosts?label=L", () => {
  it("applies one policy change to every host carrying the label, and to no other", async () => {
    freshDay();
    for (const [id, labels] of [
      ["lp-a", ["rack-9", "gpu"]],
      ["lp-b", ["rack-9"]],
      ["lp-c", ["rack-1"]],
    ] as const) {
      await enroll(id, { labels: [...labels], minSeats: 2 });
    }
    const res = await admin("PATCH", "/v1/hosts?label=rack-9", { paused: true, minSeats: 4 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { changed: number; hosts: { id: string; policy: Record<string, unknown> }[] };
    expect(body.changed).toBe(2);
    expect(body.hosts.map((h) => h.id).sort()).toEqual(["lp-a", "lp-b"]);
    for (const id of ["lp-a", "lp-b"]) {
      const detail = (await (await call(`/v1/hosts/${id}`)).json()) as {
        state: string;
        policy: Record<string, unknown>;
      };
      expect(detail.state).toBe("paused");
      // Fields not in the patch are kept, as with PATCH /v1/hosts/:id.
      expect(detail.policy).toMatchObject({ paused: true, minSeats: 4, graceSeconds: 300 });
    }
    expect(await stateOf("lp-c")).toBe("new");
    const c = (await (await call("/v1/hosts/lp-c")).json()) as { policy: { paused: boolean; minSeats: number } };
    expect(c.policy).toMatchObject({ paused: false, minSeats: 2 });
  });

  it.each([
    ["an invalid field", "?label=rack-9", { minSeats: -1 }, 400, "invalid_policy", "minSeats"],
    [
      "one bad field among good ones",
      "?label=rack-9",
      { paused: true, pausedUntil: "soon" },
      400,
      "invalid_policy",
      "ISO 8601",
    ],
    ["a key change", "?label=rack-9", { publicKey: null }, 400, "invalid_policy", "publicKey"],
    ["no label", "", { paused: true }, 400, "invalid_request", "?label="],
    ["an invalid label", "?label=Rack%209", { paused: true }, 400, "invalid_request", "[a-z0-9_-]"],
    [
      "a label no host carries",
      "?label=rack-404",
      { paused: true },
      404,
      "unknown_label",
      "labels in use: gpu, rack-1, rack-9",
    ],
  ])("refuses %s, naming the fix, and writes nothing", async (_, query, body, status, code, hint) => {
    const before = await kvSnapshot();
    const error = await expectError(await admin("PATCH", `/v1/hosts${query}`, body), status, code);
    expect(error.message).toContain(hint);
    expect(await kvSnapshot()).toEqual(before);
  });

  it("needs the admin token", async () => {
    await expectError(await admin("PATCH", "/v1/hosts?label=rack-9", { paused: true }, "wrong"), 401, "unauthorized");
  });
});

describe("maintenance", () => {
  it("keeps a paused host quiet and out of /v1/check, and pausedUntil resumes it on its own into what it really is", async () => {
    const t0 = freshDay();
    await hook("maint", "maint");
    const calm = await enroll("mt-calm", { labels: ["calm"] });
    const host = await enroll("mt-1", { labels: ["maint"] });
    await beat(calm);
    await beat(host);
    const until = t0 + 600_000;
    const res = await admin("PATCH", "/v1/hosts?label=maint", { pausedUntil: new Date(until).toISOString() });
    expect(res.status).toBe(200);

    // Under maintenance the host goes blind, then silent: nobody hears of it, and /v1/check stays green.
    at(t0 + 60_000);
    await beat(host, { seats: 0 });
    await beat(calm);
    await cron(t0 + 60_000);
    await runAlarm();
    expect(await stateOf("mt-1")).toBe("paused");
    let check = await call("/v1/check");
    expect([check.status, await check.text()]).toEqual([200, "ok: 1 up\n"]);
    at(until - 1_000);
    await beat(calm);
    await cron(until - 1_000);
    await runAlarm();
    expect(await events("maint")).toEqual([]);

    // pausedUntil passes with no admin call: the host is judged again, and it is silent.
    at(until + 1_000);
    await cron(until + 1_000);
    await runAlarm();
    expect(await stateOf("mt-1")).toBe("silent");
    check = await call("/v1/check");
    expect(check.status).toBe(503);
    expect(await check.text()).toContain("mt-1: silent (no_beat)");
    expect((await events("maint")).map((e) => [e.host, e.state, e.previous])).toEqual([["mt-1", "silent", "paused"]]);
  });

  it("announces nothing when a host paused while up resumes up", async () => {
    const t0 = freshDay();
    await hook("maint-ok", "maint-ok");
    const host = await enroll("mt-ok", { labels: ["maint-ok"] });
    await beat(host);
    await admin("PATCH", "/v1/hosts?label=maint-ok", { pausedUntil: new Date(t0 + 300_000).toISOString() });
    for (let t = t0 + 60_000; t <= t0 + 600_000; t += 60_000) {
      at(t);
      await beat(host);
      await cron(t);
      await runAlarm();
    }
    expect(await stateOf("mt-ok")).toBe("up");
    expect(await events("maint-ok")).toEqual([]);
  });
});
