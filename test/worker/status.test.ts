import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_POLICY } from "../../protocol/policy.ts";
import { runCron } from "../../worker/cron.ts";
import { fleetCheck } from "../../worker/faces/status.ts";
import { hostView } from "../../worker/fleet/view.ts";
import worker from "../../worker/index.ts";
import { ledgerStub } from "../../worker/ledger/ledger.ts";
import { admin, BASE, call, enroll, expectError, sendBeat } from "./helpers.ts";

afterEach(() => {
  vi.useRealTimers();
});

interface Status {
  generatedAt: string;
  monitor: Record<string, unknown>;
  counts: Record<string, number>;
  hosts: {
    id: string;
    state: string;
    reason: string | null;
    seats: number | null;
    lastSeen: string | null;
    since: string | null;
  }[];
}

async function status(): Promise<Status> {
  return (await (await call("/v1/status")).json()) as Status;
}

describe("GET /v1/check with no hosts", () => {
  it("answers 503 no_hosts", async () => {
    const res = await call("/v1/check");
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("no_hosts");
  });
});

describe("GET /v1/status", () => {
  it("shows an enrolled host's signed beat with its state, seats and times", async () => {
    vi.setSystemTime(Date.parse("2026-11-25T10:00:00Z"));
    const host = await enroll("alpha", { minSeats: 2, labels: ["gpu"] });
    await sendBeat(host, { seats: 5 });
    const doc = await status();
    expect(doc.generatedAt).toBe("2026-11-25T10:00:00.000Z");
    expect(Object.keys(doc)).toEqual(["generatedAt", "monitor", "counts", "hosts"]);
    // No cron run yet: the monitor cannot vouch for anything (DESIGN §6).
    expect(doc.monitor).toEqual({ lastCronAt: null, hostsEvaluated: 0, stale: true, undelivered: 0 });
    expect(doc.counts).toEqual({
      up: 1,
      low: 0,
      waiting: 0,
      stalled: 0,
      blind: 0,
      error: 0,
      silent: 0,
      new: 0,
      paused: 0,
    });
    expect(doc.hosts).toEqual([
      {
        id: "alpha",
        state: "up",
        reason: null,
        seats: 5,
        minSeats: 2,
        lastSeen: "2026-11-25T10:00:00.000Z",
        since: "2026-11-25T10:00:00.000Z",
        labels: ["gpu"],
        warnings: [],
        activity: null,
      },
    ]);
  });

  it("turns a host silent once its grace has passed, with since at the end of the grace", async () => {
    vi.setSystemTime(Date.parse("2026-11-25T11:00:00Z"));
    const host = await enroll("beta", { graceSeconds: 60 });
    await sendBeat(host, { seats: 1 });
    vi.setSystemTime(Date.parse("2026-11-25T11:01:00.001Z"));
    const beta = (await status()).hosts.find((h) => h.id === "beta");
    expect(beta).toMatchObject({ state: "silent", reason: "no_beat", since: "2026-11-25T11:01:00.000Z" });
  });

  it("lists a host enrolled but never seen as new with lastSeen null", async () => {
    await admin("PUT", "/v1/hosts/gamma", {});
    expect((await status()).hosts.find((h) => h.id === "gamma")).toMatchObject({
      state: "new",
      lastSeen: null,
      seats: null,
    });
  });

  it("prints an aligned table for curl", async () => {
    for (const res of [
      await call("/v1/status?format=text"),
      await call("/v1/status", { headers: { accept: "text/plain" } }),
    ]) {
      expect(res.headers.get("content-type")).toContain("text/plain");
      const lines = (await res.text()).trimEnd().split("\n");
      expect(lines[1]).toMatch(/^HOST\s+STATE\s+SEATS\s+MIN\s+AT WORK\s+LAST SEEN\s+REASON\s+WARNINGS$/);
      const stateColumn = lines[1]?.indexOf("STATE");
      for (const line of lines.slice(2))
        expect(line.slice(stateColumn).split(/\s+/)[0]).toMatch(
          /^(up|low|waiting|stalled|blind|error|silent|new|paused)$/,
        );
    }
  });

  it("ends each row of the table with the host's warnings, - when it has none", async () => {
    const skewed = await enroll("text-skewed");
    const punctual = await enroll("text-punctual");
    expect((await sendBeat(skewed, { seats: 1, ts: Date.now() - 60_000 })).status).toBe(202);
    expect((await sendBeat(punctual, { seats: 1 })).status).toBe(202);

    const lines = (await (await call("/v1/status?format=text")).text()).split("\n");

    expect(lines.find((l) => l.startsWith("text-skewed "))).toMatch(/\sclock_skew$/);
    expect(lines.find((l) => l.startsWith("text-punctual "))).toMatch(/\s-$/);
  });
});

describe("health checks", () => {
  it("answers 503 naming every host that is blind, error, silent or low, and 200 once all are up", async () => {
    vi.setSystemTime(Date.parse("2026-11-25T12:00:00Z"));
    const hosts = await Promise.all(["c-up", "c-low", "c-blind", "c-error"].map((id) => enroll(id, { minSeats: 2 })));
    const [up, low, blind, error] = hosts as [
      (typeof hosts)[0],
      (typeof hosts)[0],
      (typeof hosts)[0],
      (typeof hosts)[0],
    ];
    await sendBeat(up, { seats: 2 });
    await sendBeat(low, { seats: 1 });
    await sendBeat(blind, { seats: 0 });
    await sendBeat(error, { seats: 0, observed: "error", reason: "no_server" });
    let res = await call("/v1/check");
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(text).toContain("c-low: low (below_min_seats)");
    expect(text).toContain("c-blind: blind (zero_seats)");
    expect(text).toContain("c-error: error (no_server)");
    expect(text).not.toContain("c-up");

    res = await call("/v1/hosts/c-blind/check");
    expect(res.status).toBe(503);
    res = await call("/v1/hosts/c-up/check");
    expect([res.status, await res.text()]).toEqual([
      503,
      "monitor: stale (last cron run never): check the cron trigger\n",
    ]);
    await runCron(env.SEATWATCH_KV, ledgerStub(env), Date.now());
    res = await call("/v1/hosts/c-up/check");
    expect([res.status, await res.text()]).toEqual([200, "ok: c-up up, 2 seats\n"]);

    // Storage is shared within this file: pause every other host so only c-up counts.
    for (const h of (await status()).hosts)
      if (h.id !== up.id) await admin("PATCH", `/v1/hosts/${h.id}`, { paused: true });
    await admin("PUT", "/v1/hosts/c-new", {});
    await runCron(env.SEATWATCH_KV, ledgerStub(env), Date.now());
    res = await call("/v1/check");
    expect([res.status, await res.text()]).toEqual([200, "ok: 1 up\n"]);
  });

  it("answers 404 for the check of an unknown host", async () => {
    await expectError(await call("/v1/hosts/nobody/check"), 404, "unknown_host");
  });
});

describe("READ_TOKEN", () => {
  const gated = { ...env, READ_TOKEN: "read-secret" };
  const get = (path: string, headers: Record<string, string> = {}) =>
    worker.fetch(new Request(BASE + path, { headers }), gated, createExecutionContext());

  it("refuses reads without the token and asks browsers for Basic auth", async () => {
    for (const path of ["/v1/status", "/v1/check", "/v1/hosts", "/v1/hosts/x"]) {
      const res = await get(path);
      expect(res.headers.get("www-authenticate")).toContain("Basic");
      await expectError(res, 401, "unauthorized");
    }
    await expectError(await get("/v1/status", { authorization: "Bearer wrong" }), 401, "unauthorized");
  });

  it("accepts the token as a Bearer token or as the Basic-auth password", async () => {
    expect((await get("/v1/status", { authorization: "Bearer read-secret" })).status).toBe(200);
    expect((await get("/v1/status", { authorization: `Basic ${btoa("anyone:read-secret")}` })).status).toBe(200);
  });
});

describe("host detail", () => {
  it("shows policy, last beat, servers, commands and history, and no key material", async () => {
    vi.setSystemTime(Date.parse("2026-11-25T13:00:00Z"));
    const host = await enroll("delta");
    await sendBeat(host, { seats: 4, commands: { claude: 4 } });
    const text = await (await call("/v1/hosts/delta")).text();
    expect(text).not.toContain(host.keys.publicKey.slice(5));
    const detail = JSON.parse(text);
    expect(detail).toMatchObject({
      id: "delta",
      state: "up",
      seats: 4,
      keyRegistered: true,
      warnings: [],
      lastBeat: { commands: { claude: 4 }, servers: [{ exe: "/usr/bin/tmux" }] },
      history: [{ at: "2026-11-25T13:00:00.000Z", seats: 4 }],
    });
    const list = (await (await call("/v1/hosts")).json()) as { hosts: { id: string }[] };
    expect(list.hosts.map((h) => h.id)).toContain("delta");
  });
});

describe("can't tell is never green", () => {
  it("answers 503 for the check of a host that never beat", async () => {
    await admin("PUT", "/v1/hosts/only-new", {});
    await runCron(env.SEATWATCH_KV, ledgerStub(env), Date.now());
    const res = await call("/v1/hosts/only-new/check");
    expect([res.status, await res.text()]).toEqual([503, "only-new: new (never beat): start its beacon\n"]);
  });

  it("answers 503 no_hosts for a fleet whose hosts are all new or paused", () => {
    const monitor = { lastCronAt: new Date().toISOString(), hostsEvaluated: 2, stale: false, undelivered: 0 };
    const meta = (paused: boolean) => ({
      epoch: "e",
      createdAt: new Date().toISOString(),
      policy: { ...DEFAULT_POLICY, paused },
    });
    const fleet = [hostView("n-1", meta(false), null, Date.now()), hostView("p-1", meta(true), null, Date.now())];
    expect(fleetCheck(fleet, monitor)).toEqual({
      ok: false,
      text: "no_hosts: no host is watched yet (every host is new or paused): start a beacon on one\n",
    });
  });
});
