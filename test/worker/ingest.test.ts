import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Beat } from "../../protocol/beat.ts";
import { generateKeyPair } from "../../protocol/keys.ts";
import { signV1a } from "../../protocol/signing.ts";
import { CLAIM_EXPIRES_MS } from "../../worker/fleet/beats-here.ts";
import { removeHost } from "../../worker/fleet/hosts.ts";
import { ingestBeat } from "../../worker/fleet/ingest.ts";
import type { BeatMeta } from "../../worker/fleet/store.ts";
import worker from "../../worker/index.ts";
import { ledgerStub } from "../../worker/ledger/ledger.ts";
import { makeSeat } from "../support/beats.ts";
import {
  admin,
  BASE,
  call,
  type Enrolled,
  enroll,
  expectError,
  kvSnapshot,
  makeBeat,
  sendBeat,
  signedBeat,
  TEST_BEAT_LIMIT,
} from "./helpers.ts";
import { countingKv } from "./seed.ts";

let host: Enrolled;
let n = 0;
const T0 = Date.parse("2026-11-25T12:00:00Z");

beforeEach(async () => {
  vi.setSystemTime(T0 + n++ * 3_600_000);
  host = await enroll(`box-${n}`);
});

afterEach(() => {
  vi.useRealTimers();
});

/** Sends `request`, expects the rejection, and proves storage did not change. */
async function rejects(request: Request | Promise<Request>, status: number, code: string) {
  const before = await kvSnapshot();
  const error = await expectError(await worker.fetch(await request, env, createExecutionContext()), status, code);
  expect(await kvSnapshot()).toEqual(before);
  return error;
}

describe("an accepted beat", () => {
  it("answers 202 with the verdict and the host's minSeats", async () => {
    const res = await sendBeat(host, { seats: 3 });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      accepted: true,
      state: "up",
      reason: null,
      minSeats: 1,
      policy: { minSeats: 1, maxWaitSeconds: 900, minWorking: 0, maxQuietSeconds: 0 },
    });
  });

  it("records the Worker's arrival time as lastSeen and the clock offset, not the beacon's ts", async () => {
    const slow = Date.now() - 200_000;
    expect((await sendBeat(host, { ts: slow }, { timestamp: Math.floor(slow / 1000) })).status).toBe(202);
    const detail = (await (await call(`/v1/hosts/${host.id}`)).json()) as Record<string, unknown>;
    expect(detail.lastSeen).toBe(new Date(Date.now()).toISOString());
    expect(detail.clockOffsetMs).toBe(200_000);
    expect(detail.warnings).toEqual(["clock_skew"]);
  });

  it("keeps a host whose clock is 200 s slow up for its whole grace period", async () => {
    const slow = Date.now() - 200_000;
    await sendBeat(host, { ts: slow }, { timestamp: Math.floor(slow / 1000) });
    vi.setSystemTime(Date.now() + 299_000);
    const status = (await (await call("/v1/status")).json()) as { hosts: { id: string; state: string }[] };
    expect(status.hosts.find((h) => h.id === host.id)?.state).toBe("up");
  });

  it("derives blind, low and error from the beat and the host's minSeats", async () => {
    const low = await enroll(`low-${n}`, { minSeats: 5 });
    expect(await (await sendBeat(low, { seats: 3 })).json()).toMatchObject({ state: "low", reason: "below_min_seats" });
    vi.setSystemTime(Date.now() + 1000);
    expect(await (await sendBeat(low, { seats: 0 })).json()).toMatchObject({ state: "blind", reason: "zero_seats" });
    vi.setSystemTime(Date.now() + 1000);
    const error = await sendBeat(low, { seats: 0, observed: "error", reason: "pid_mismatch" });
    expect(await error.json()).toMatchObject({ state: "error", reason: "pid_mismatch" });
  });

  it("keeps a bounded seat history for sparklines", async () => {
    for (let i = 0; i < 65; i++) {
      vi.setSystemTime(Date.now() + 1000);
      expect((await sendBeat(host, { seats: i })).status).toBe(202);
    }
    const detail = (await (await call(`/v1/hosts/${host.id}`)).json()) as { history: { seats: number }[] };
    expect(detail.history).toHaveLength(60);
    expect(detail.history.at(-1)?.seats).toBe(64);
  });

  it("accepts a header with up to four signatures when one is from the host's key", async () => {
    const other = await generateKeyPair();
    const request = await signedBeat(host);
    const body = await request.clone().text();
    const id = request.headers.get("webhook-id") as string;
    const ts = Number(request.headers.get("webhook-timestamp"));
    const foreign = (await signV1a(other.privateKey, id, ts, body))["webhook-signature"];
    const headers = new Headers(request.headers);
    headers.set("webhook-signature", `${foreign} ${foreign} ${foreign} ${request.headers.get("webhook-signature")}`);
    const res = await call("/v1/beats", { method: "POST", headers, body });
    expect(res.status).toBe(202);
  });

  it("accepts charset=utf-8 in the content type", async () => {
    const res = await sendBeat(host, {}, { headers: { "content-type": "application/json; charset=UTF-8" } });
    expect(res.status).toBe(202);
  });
});

describe("rejections change nothing", () => {
  it("refuses a beat with a missing signature header, naming it", async () => {
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
      const request = await signedBeat(host);
      request.headers.delete(name);
      const error = await rejects(request, 401, "missing_signature");
      expect(error.message).toContain(name);
    }
  });

  it("refuses garbled signature headers", async () => {
    for (const garbled of ["v1a", "v1a,@@@", "not-a-signature", "v1a, "]) {
      await rejects(signedBeat(host, {}, { headers: { "webhook-signature": garbled } }), 401, "malformed_signature");
    }
    await rejects(signedBeat(host, {}, { headers: { "webhook-timestamp": "yesterday" } }), 401, "malformed_signature");
  });

  it("refuses five signatures even when one is valid", async () => {
    const request = await signedBeat(host);
    const sig = request.headers.get("webhook-signature") as string;
    request.headers.set("webhook-signature", Array(5).fill(sig).join(" "));
    await rejects(request, 401, "malformed_signature");
  });

  it("refuses a beat signed with another key", async () => {
    const impostor: Enrolled = { id: host.id, keys: await generateKeyPair() };
    await rejects(signedBeat(impostor), 401, "invalid_signature");
  });

  it("refuses a body changed by one byte after signing", async () => {
    await rejects(
      signedBeat(host, { seats: 3 }, { tamper: (b) => b.replace('"seats":3', '"seats":4') }),
      401,
      "invalid_signature",
    );
  });

  it("refuses a signature made for another webhook-id", async () => {
    const request = await signedBeat(host);
    request.headers.set("webhook-id", "beat_other");
    await rejects(request, 401, "invalid_signature");
  });

  it("answers an unknown host exactly like a bad signature", async () => {
    const stranger: Enrolled = { id: "never-enrolled", keys: await generateKeyPair() };
    const error = await rejects(signedBeat(stranger), 401, "invalid_signature");
    const bad = await rejects(signedBeat({ id: host.id, keys: stranger.keys }), 401, "invalid_signature");
    expect(error.message).toBe(bad.message);
  });

  it("refuses a host enrolled without a key (still new)", async () => {
    await admin("PUT", "/v1/hosts/keyless", {});
    await rejects(signedBeat({ id: "keyless", keys: host.keys }), 401, "invalid_signature");
  });

  it("refuses webhook-timestamp or ts more than 300 s from the Worker's clock", async () => {
    const now = Date.now();
    for (const skew of [301_000, -301_000]) {
      await rejects(signedBeat(host, {}, { timestamp: Math.floor((now + skew) / 1000) }), 401, "stale_timestamp");
      await rejects(signedBeat(host, { ts: now + skew }), 401, "stale_timestamp");
    }
  });

  it("accepts timestamps 299 s off (the boundary is 300 s)", async () => {
    const ts = Date.now() - 299_000;
    expect((await sendBeat(host, { ts }, { timestamp: Math.floor(ts / 1000) })).status).toBe(202);
  });

  it("refuses a replayed beat and a beat whose seq is not newer than its instance's last", async () => {
    const first = await signedBeat(host, { ts: Date.now(), seq: 1_000_000 });
    const replay = first.clone();
    expect((await worker.fetch(first, env, createExecutionContext())).status).toBe(202);
    vi.setSystemTime(Date.now() + 5000);
    await rejects(replay, 409, "replayed");
    await rejects(signedBeat(host, { seq: 999_999 }), 409, "replayed");
  });

  it("accepts one of six copies of a beat sent at once; the rest are replays, and one record is written", async () => {
    const captured = await signedBeat(host, { ts: Date.now(), seq: 2_000_000, seats: 4 });
    const { kv, counts } = countingKv(env.SEATWATCH_KV);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        worker.fetch(captured.clone(), { ...env, SEATWATCH_KV: kv }, createExecutionContext()),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([202, 409, 409, 409, 409, 409]);
    for (const r of answers.filter((a) => a.status === 409)) {
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("replayed");
    }
    expect(counts.put).toBe(1);
  });

  it("takes one beat of a host at a time: another beat arriving meanwhile is asked to retry", async () => {
    // Two instances (a restarted beacon and its predecessor, say): whichever is first is taken.
    const a = await signedBeat(host, { ts: Date.now(), seq: 3_000_000, instance: "one-at-a-time-a" });
    const b = await signedBeat(host, { ts: Date.now(), seq: 3_000_000, instance: "one-at-a-time-b" });
    const answers = await Promise.all([a, b].map((r) => worker.fetch(r, env, createExecutionContext())));
    expect(answers.map((r) => r.status).sort()).toEqual([202, 429]);
    expect(answers.find((r) => r.status === 429)?.headers.get("retry-after")).toBe("1");
  });

  it("frees a host whose beat never finished (a request cancelled mid-await) after 10 s, and at once for a new incarnation", async () => {
    const stuck = await enroll("claim-stuck");
    // A beat whose KV write never settles, as when the runtime drops a cancelled request's I/O.
    const never = new Proxy(env.SEATWATCH_KV, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (prop === "put") return () => new Promise(() => {});
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const t0 = Date.now();
    void ingestBeat(await signedBeat(stuck, { ts: t0, seq: 1 }), never, t0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await sendBeat(stuck, { ts: t0, seq: 2 })).status).toBe(429);
    vi.setSystemTime(t0 + CLAIM_EXPIRES_MS);
    expect((await sendBeat(stuck, { ts: t0 + CLAIM_EXPIRES_MS, seq: 3 })).status).toBe(202);

    // Held again, then the host is deleted and re-created: the old incarnation's claim is not its.
    const t1 = t0 + CLAIM_EXPIRES_MS + 2_000;
    vi.setSystemTime(t1);
    void ingestBeat(await signedBeat(stuck, { ts: t1, seq: 4 }), never, t1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await admin("DELETE", "/v1/hosts/claim-stuck")).status).toBe(204);
    const again = await enroll("claim-stuck");
    expect((await sendBeat(again, { ts: t1, seq: 1 })).status).toBe(202);
  });

  it("refuses an oversize beat by its content-length without reading the body", async () => {
    let pulled = false;
    // highWaterMark 0: the stream is pulled only when someone reads the body.
    const body = new ReadableStream(
      {
        pull(controller) {
          pulled = true;
          controller.enqueue(new TextEncoder().encode("x".repeat(20_000)));
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const request = await signedBeat(host);
    const oversize = new Request(`${BASE}/v1/beats`, {
      method: "POST",
      headers: { ...Object.fromEntries(request.headers), "content-length": "20000" },
      body,
    });
    await rejects(oversize, 413, "payload_too_large");
    expect(pulled).toBe(false);
  });

  it("refuses an oversize streamed beat that declares no length", async () => {
    const request = await signedBeat(
      host,
      { commands: { ["x".repeat(64)]: 1 } },
      { tamper: (b) => b + " ".repeat(17_000) },
    );
    const chunked = new Request(`${BASE}/v1/beats`, {
      method: "POST",
      headers: Object.fromEntries([...request.headers].filter(([k]) => k !== "content-length")),
      body: new Blob([await request.text()]).stream(),
    });
    await rejects(chunked, 413, "payload_too_large");
  });

  it("refuses a wrong content type before looking at signatures", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1"]) {
      const request = await signedBeat(host, {}, { headers: { "content-type": type } });
      request.headers.delete("webhook-signature");
      await rejects(request, 415, "unsupported_media_type");
    }
  });

  it("refuses malformed JSON and non-object JSON", async () => {
    await rejects(signedBeat(host, {}, { tamper: (b) => b.slice(0, -1) }), 400, "invalid_json");
    await rejects(signedBeat(host, {}, { tamper: () => "[1,2]" }), 400, "invalid_json");
  });

  it.each([
    ["seats", -1],
    ["seats", 100_001],
    ["seats", "3"],
    ["idle", 1.5],
    ["seq", -1],
    ["ts", "now"],
    ["v", 2],
    ["instance", ""],
    ["observed", "maybe"],
    ["servers", "none"],
    ["commands", []],
    ["beacon", null],
  ])("refuses a validly signed beat whose %s is %j", async (field, value) => {
    const error = await rejects(signedBeat(host, { [field]: value } as never), 400, "invalid_beat");
    expect(error.message).toContain(field);
  });

  it.each([["Box-1"], ["bøx"], ["a/b"], ["a..b"], ["x".repeat(64)], ["fleet"], [""]])(
    "refuses a beat for the invalid host id %j before any key lookup",
    async (bad) => {
      await rejects(signedBeat({ id: bad, keys: host.keys }), 400, "invalid_host");
    },
  );

  it("refuses a beat for a deleted host, and ignores one that was in flight during the delete", async () => {
    await sendBeat(host, { seats: 2 });
    vi.setSystemTime(Date.now() + 1000);
    const inFlight = await signedBeat(host, { seats: 7 });
    // The admin's DELETE lands between the beat's key check and its write.
    const kv = env.SEATWATCH_KV;
    const racing = new Proxy(kv, {
      get(target, prop) {
        if (prop === "get") {
          return async (key: string, options: never) => {
            if (key === `beat:${host.id}`) await removeHost(kv, host.id, (h) => ledgerStub(env).forget(h.id, h.epoch));
            return target.get(key, options);
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    await ingestBeat(inFlight, racing, Date.now());
    const status = (await (await call("/v1/status")).json()) as { hosts: { id: string }[] };
    expect(status.hosts.map((h) => h.id)).not.toContain(host.id);
    await admin("PUT", `/v1/hosts/${host.id}`, {});
    const again = (await (await call(`/v1/hosts/${host.id}`)).json()) as { state: string; seats: number | null };
    expect(again).toMatchObject({ state: "new", seats: null });
    vi.setSystemTime(Date.now() + 1000);
    await rejects(signedBeat(host), 401, "invalid_signature");
  });
});

describe("order of checks", () => {
  it("answers 413 before 415", async () => {
    const request = await signedBeat(
      host,
      {},
      { headers: { "content-type": "text/plain", "content-length": "99999" } },
    );
    await rejects(
      new Request(request.url, { method: "POST", headers: request.headers, body: "x" }),
      413,
      "payload_too_large",
    );
  });

  it("answers 401 for headers before 400 for a body that is not JSON", async () => {
    const request = await signedBeat(host, {}, { tamper: () => "{" });
    request.headers.delete("webhook-id");
    await rejects(request, 401, "missing_signature");
  });

  it("answers 401 invalid_signature before 400 schema for a forged beat", async () => {
    const stranger: Enrolled = { id: host.id, keys: await generateKeyPair() };
    await rejects(signedBeat(stranger, { seats: -5 }), 401, "invalid_signature");
  });

  it("answers 400 schema before 401 stale_timestamp", async () => {
    await rejects(signedBeat(host, { seats: -5, ts: Date.now() - 999_000 }), 400, "invalid_beat");
  });

  it("answers 401 stale_timestamp before 409 replayed", async () => {
    await sendBeat(host, { ts: Date.now() });
    vi.setSystemTime(Date.now() + 1000);
    await rejects(signedBeat(host, { ts: Date.now() - 400_000 }), 401, "stale_timestamp");
  });
});

describe("rate limits", () => {
  it("accepts at most one beat a second per host and says when to retry", async () => {
    expect((await sendBeat(host)).status).toBe(202);
    vi.setSystemTime(Date.now() + 500);
    const res = await worker.fetch(await signedBeat(host), env, createExecutionContext());
    expect(res.headers.get("retry-after")).toBe("1");
    await expectError(res, 429, "rate_limited");
    vi.setSystemTime(Date.now() + 600);
    expect((await sendBeat(host)).status).toBe(202);
  });

  it("limits each client address before reading storage", async () => {
    const ip = { "cf-connecting-ip": "192.0.2.77" };
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let batch = 0; batch < 10 && !limited; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          call("/v1/beats", { method: "POST", headers: { ...ip, "content-type": "text/plain" }, body: "x" }),
        ),
      );
      for (const res of answers) statuses.push(res.status);
      limited = answers.find((res) => res.status === 429);
    }
    expect(statuses.filter((s) => s === 415)).toHaveLength(TEST_BEAT_LIMIT);
    await expectError(limited as Response, 429, "rate_limited");
    expect((await sendBeat(host, {}, { headers: { "cf-connecting-ip": "192.0.2.78" } })).status).toBe(202);
  });
});

describe("beat builder", () => {
  it("builds beats the protocol validator accepts", async () => {
    const { validateBeat } = await import("../../protocol/beat.ts");
    expect(validateBeat(makeBeat()).ok).toBe(true);
  });
});

describe("storage layout", () => {
  it("keeps cfg: and beat: metadata within KV's 1,024-byte limit at the largest allowed values", async () => {
    const labels = Array.from({ length: 8 }, (_, i) => `${i}`.padEnd(32, "x"));
    const big = await enroll(`${"m".repeat(60)}-${n}`, { labels, pausedUntil: null, minSeats: 100_000 });
    const reason = `r${"x".repeat(63)}`;
    const ts = Date.now();
    // Seat names are free text: control characters cost six bytes each in JSON, the worst case. The
    // five oldest waits are what an alert names; the rest only need to fit the beat's 16 KiB.
    const worst = "\u0001".repeat(64);
    const seatList = Array.from({ length: 32 }, (_, i) =>
      makeSeat({
        pane: `%${1e9 + i}`,
        session: i < 5 ? worst : `s${i}`,
        window: 2 ** 31 - 1,
        state: "waiting",
        since: ts - 31 + i,
        why: i < 5 ? worst : "permission",
      }),
    );
    const activity = {
      working: 33_334,
      waiting: 33_333,
      quiet: 33_333,
      waitingSince: ts - 31,
      quietSince: ts - 1,
      marks: true,
    };
    const fields = { observed: "error", reason, seats: 100_000, idle: 100_000, seq: 2 ** 52, ts, activity, seatList };
    expect((await sendBeat(big, fields as Partial<Beat>)).status).toBe(202);
    const { keys } = await env.SEATWATCH_KV.list({ prefix: "" });
    for (const key of keys.filter((k) => k.name.endsWith(big.id))) {
      expect(new TextEncoder().encode(JSON.stringify(key.metadata)).length, key.name).toBeLessThanOrEqual(1024);
    }
    expect(keys.filter((k) => k.name.endsWith(big.id)).map((k) => k.name.split(":")[0])).toEqual([
      "beat",
      "cfg",
      "key",
    ]);
    // What the cron judges by survives in full; only the seats an alert names give way to the limit.
    const meta = keys.find((k) => k.name === `beat:${big.id}`)?.metadata as BeatMeta;
    expect(meta.activity).toMatchObject({ waiting: 33_333, waitingSince: ts - 31 });
    expect(meta.attention?.length).toBeGreaterThan(0);
  });
});
