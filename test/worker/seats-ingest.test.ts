/** Seats at work on the beat path (DESIGN §3a, §4): what a beat's activity may be, how it is stored and judged. */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Beat } from "../../protocol/beat.ts";
import { BEAT_PREFIX, type BeatMeta } from "../../worker/fleet/store.ts";
import worker from "../../worker/index.ts";
import { makeActivityBeat, makeSeat } from "../support/beats.ts";
import { admin, call, enroll, expectError, kvSnapshot, sendBeat, signedBeat, testClock } from "./helpers.ts";

const { freshDay } = testClock("2027-08-01T00:00:00Z");

afterEach(() => {
  vi.useRealTimers();
});

/** The seat fields of a beat (the helpers sign it for the host, with its own seq). */
function seatFields(beat: Beat): Partial<Beat> {
  const { host, seq, instance, ...fields } = beat;
  return fields;
}

/** A waiting seat and a working one, as a beacon whose clock reads `beaconNow` reports them. */
function waitingBeat(beaconNow: number, waitedMs: number): Partial<Beat> {
  return seatFields(
    makeActivityBeat(
      [
        makeSeat({
          pane: "%3",
          session: "main",
          window: 2,
          state: "waiting",
          since: beaconNow - waitedMs,
          via: "hook",
        }),
        makeSeat({ pane: "%4", session: "main", window: 3, state: "working", since: beaconNow - 1_000 }),
      ],
      { ts: beaconNow },
    ),
  );
}

async function storedMeta(id: string): Promise<BeatMeta | undefined> {
  const { keys } = await env.SEATWATCH_KV.list<BeatMeta>({ prefix: BEAT_PREFIX + id });
  return keys.find((k) => k.name === BEAT_PREFIX + id)?.metadata;
}

async function answer(res: Response): Promise<{ state: string; reason: string | null }> {
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json()) as { state: string; reason: string | null };
}

describe("a beat with activity", () => {
  it("is accepted, and the 202 answer carries the policy the beacon predicts with", async () => {
    const t0 = freshDay();
    const host = await enroll("act-1", { minWorking: 1, maxWaitSeconds: 600 });
    const res = await sendBeat(host, waitingBeat(t0, 1_000));
    expect(await res.json()).toEqual({
      accepted: true,
      state: "up",
      reason: null,
      minSeats: 1,
      policy: { minSeats: 1, maxWaitSeconds: 600, minWorking: 1, maxQuietSeconds: 0 },
    });
  });

  it("is stored with its seat times moved onto the Worker's clock", async () => {
    const t0 = freshDay();
    const host = await enroll("act-2");
    // The beacon's clock runs 200 s slow: its times are 200 s behind the Worker's.
    const beaconNow = t0 - 200_000;
    await answer(await sendBeat(host, waitingBeat(beaconNow, 60_000), { timestamp: Math.floor(beaconNow / 1000) }));
    const meta = await storedMeta(host.id);
    expect(meta?.activity).toEqual({ working: 1, waiting: 1, quiet: 0, waitingSince: t0 - 60_000, quietSince: null });
    expect(meta?.attention).toEqual([
      { target: "main:2", state: "waiting", since: t0 - 60_000, why: "marked waiting" },
    ]);
    expect(meta?.marks).toBe(true);
  });

  it("from a beacon 200 s slow is judged by how long its seat really waited, not by the beacon's clock", async () => {
    const t0 = freshDay();
    const host = await enroll("skew-slow", { maxWaitSeconds: 900 });
    const beaconNow = t0 - 200_000;
    // 800 s of real waiting: the beacon's since is 1,000 s before the Worker's now, yet the wait is under 900 s.
    const res = await sendBeat(host, waitingBeat(beaconNow, 800_000), { timestamp: Math.floor(beaconNow / 1000) });
    expect(await answer(res)).toMatchObject({ state: "up" });
    vi.setSystemTime(t0 + 100_000);
    expect((await (await call(`/v1/hosts/${host.id}`)).json()) as { state: string }).toMatchObject({ state: "up" });
    vi.setSystemTime(t0 + 100_001);
    expect((await (await call(`/v1/hosts/${host.id}`)).json()) as { state: string }).toMatchObject({
      state: "waiting",
      reason: "seat_waiting",
    });
  });

  it("from a beacon 200 s fast is judged by how long its seat really waited", async () => {
    const t0 = freshDay();
    const host = await enroll("skew-fast", { maxWaitSeconds: 900 });
    const beaconNow = t0 + 200_000;
    // 901 s of real waiting, which the fast beacon's own clock would also say: judged waiting at once.
    const res = await sendBeat(host, waitingBeat(beaconNow, 901_000), { timestamp: Math.floor(beaconNow / 1000) });
    expect(await answer(res)).toEqual(expect.objectContaining({ state: "waiting", reason: "seat_waiting" }));
    vi.setSystemTime(t0 + 1_500);
    const at = await sendBeat(host, waitingBeat(beaconNow + 1_500, 800_000), {
      timestamp: Math.floor((beaconNow + 1_500) / 1000),
    });
    expect(await answer(at)).toMatchObject({ state: "up" });
  });

  it("under minWorking from an older beacon (no activity) is error activity_unknown", async () => {
    freshDay();
    const host = await enroll("old-beacon", { minWorking: 1 });
    expect(await answer(await sendBeat(host, { seats: 3 }))).toMatchObject({
      state: "error",
      reason: "activity_unknown",
    });
  });

  it("from an older beacon stays up under the default policy", async () => {
    freshDay();
    const host = await enroll("old-default");
    expect(await answer(await sendBeat(host, { seats: 3 }))).toMatchObject({ state: "up", reason: null });
  });

  it("with fewer working seats than minWorking is stalled at once", async () => {
    const t0 = freshDay();
    const host = await enroll("few-working", { minWorking: 2 });
    expect(await answer(await sendBeat(host, waitingBeat(t0, 1_000)))).toMatchObject({
      state: "stalled",
      reason: "too_few_working",
    });
  });
});

describe("an invalid activity or seat list", () => {
  /** Signs `beat` (with `patch` over it) and proves the rejection changed nothing in KV. */
  async function rejects(patch: Record<string, unknown>, field: string) {
    const t0 = freshDay();
    const host = await enroll(`bad-${field.replace(/[^a-z0-9]/gi, "").toLowerCase()}`);
    await answer(await sendBeat(host, waitingBeat(t0, 1_000)));
    vi.setSystemTime(t0 + 5_000);
    const good = waitingBeat(t0 + 5_000, 1_000);
    const before = await kvSnapshot();
    const request = await signedBeat(host, { ...good, ...patch });
    const res = await worker.fetch(request, env, createExecutionContext());
    const error = await expectError(res, 400, "invalid_beat");
    expect(error.message).toContain(field);
    expect(await kvSnapshot()).toEqual(before);
  }

  it("with counts that do not add up to seats is 400 invalid_beat and writes nothing", async () => {
    await rejects({ seats: 5 }, "activity");
  });

  it("with a seat in an unknown state is 400 invalid_beat naming it", async () => {
    const seat = makeSeat({ state: "napping" as "quiet" });
    await rejects({ seatList: [seat] }, "seatList[0].state");
  });

  it("with more than 32 seats listed is 400 invalid_beat", async () => {
    const seats = Array.from({ length: 33 }, (_, i) => makeSeat({ pane: `%${i}` }));
    await rejects(seatFields(makeActivityBeat(seats, { ts: Date.now() })), "seatList");
  });

  it("with a pane that is not a tmux pane id is 400 invalid_beat", async () => {
    await rejects({ seatList: [makeSeat({ pane: "main:2" })] }, "seatList[0].pane");
  });

  it("with a wait but no time it began is 400 invalid_beat", async () => {
    const t0 = Date.now();
    await rejects(
      { activity: { working: 1, waiting: 1, quiet: 0, waitingSince: null, quietSince: null, marks: true }, ts: t0 },
      "activity.waitingSince",
    );
  });
});

describe("policy for seats at work", () => {
  it("defaults to maxWaitSeconds 900, minWorking 0 and maxQuietSeconds 0", async () => {
    freshDay();
    const res = await admin("PUT", "/v1/hosts/pol-default", {});
    const { policy } = (await res.json()) as { policy: Record<string, unknown> };
    expect(policy).toMatchObject({ maxWaitSeconds: 900, minWorking: 0, maxQuietSeconds: 0 });
  });

  it("takes 0 to turn a limit off, and refuses limits below a minute or fractional counts, changing nothing", async () => {
    freshDay();
    await enroll("pol-1");
    expect((await admin("PATCH", "/v1/hosts/pol-1", { maxWaitSeconds: 0, maxQuietSeconds: 60 })).status).toBe(200);
    const before = await kvSnapshot();
    for (const body of [{ maxWaitSeconds: 30 }, { maxQuietSeconds: -1 }, { minWorking: 1.5 }, { minWorking: "2" }]) {
      const error = await expectError(await admin("PATCH", "/v1/hosts/pol-1", body), 400, "invalid_policy");
      expect(error.message).toContain(Object.keys(body)[0]);
    }
    expect(await kvSnapshot()).toEqual(before);
  });
});
