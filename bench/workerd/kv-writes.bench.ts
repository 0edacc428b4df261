/**
 * Bench (issues 6 and 13): KV writes per host-day. A simulated day of beats per host, each one
 * signed and sent through the Worker's real fetch handler (rate limit, verification, ingest, ledger
 * hand-off) with the KV binding counted. Run through `tsx bench/kv-writes.ts`; prints one
 * `BENCH {json}` line.
 *
 * The beacon's push rule is DESIGN §3's defaults with §3a's prediction, simulated here: a sample
 * every 15 s; a change of the verdict the beacon predicts (protocol's `verdict` on the sample, with
 * the policy of the last 202: seats to 0 or across minSeats, a wait passing maxWaitSeconds) pushed
 * once seen in 2 consecutive samples; other seat-count changes at most one push a minute; every
 * other activity change waits for the keep-alive push every 120 s. The baseline is the naive
 * beacon that pushes every 60 s.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { it, vi } from "vitest";
import type { Activity, SeatEntry } from "../../protocol/activity.ts";
import { DEFAULT_POLICY } from "../../protocol/policy.ts";
import { verdict } from "../../protocol/verdict.ts";
import { makeActivityBeat, makeSeat } from "../../test/support/beats.ts";
import { enroll, signedBeat } from "../../test/worker/helpers.ts";
import { countingKv } from "../../test/worker/seed.ts";
import worker from "../../worker/index.ts";

const DAY_MS = 86_400_000;
const SAMPLE_MS = 15_000;
const CONFIRM_SAMPLES = 2;
const COALESCE_MS = 60_000;
const KEEPALIVE_MS = 120_000;
const NAIVE_EVERY_MS = 60_000;
const MIN_SEATS = 2;

/** What a sample shows: seats, and from a beacon with seats at work their activity. */
interface Sample {
  seats: number;
  activity?: Activity;
  seatList?: SeatEntry[];
}

const POLICY = { ...DEFAULT_POLICY, minSeats: MIN_SEATS };

/** Seats seen at each sample of the day, per profile. Deterministic (a seeded LCG), so runs compare. */
function steady(): (t: number) => number {
  return () => 4;
}

/**
 * Four agents at work, one of which asks for a decision every other minute and gets it within
 * the minute: it flips between working and waiting each minute, all day. With `longWaits`, once
 * an hour a question waits 20 minutes, past maxWaitSeconds (900 s).
 */
function flipping(longWaits: boolean): (t: number) => Sample {
  return (t) => {
    const minute = Math.floor(t / 60_000);
    const intoHour = t % 3_600_000;
    const long = longWaits && intoHour < 20 * 60_000;
    const waiting = long || minute % 2 === 1;
    const since = long ? t - intoHour : minute * 60_000;
    const seats = [
      makeSeat({ pane: "%0", window: 0, state: waiting ? "waiting" : "working", since, via: "hook" }),
      ...[1, 2, 3].map((w) => makeSeat({ pane: `%${w}`, window: w, state: "working", since: 0, via: "cpu" })),
    ];
    const { activity, seatList } = makeActivityBeat(seats);
    return { seats: seats.length, ...(activity ? { activity } : {}), ...(seatList ? { seatList } : {}) };
  };
}

/**
 * A working host: 9:00–17:00 agents start and finish every ~5 minutes (2–8 seats), a crash
 * that leaves it blind for 10 minutes at 13:00, and 1 seat (low) overnight.
 */
function busy(): (t: number) => number {
  let seed = 42;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const changes: [number, number][] = [];
  for (let t = 9 * 3_600_000; t < 17 * 3_600_000; t += 150_000 + next() * 300_000) {
    changes.push([t, 2 + Math.floor(next() * 7)]);
  }
  return (t) => {
    if (t >= 13 * 3_600_000 && t < 13 * 3_600_000 + 600_000) return 0;
    if (t < 9 * 3_600_000 || t >= 17 * 3_600_000) return 1;
    let seats = 4;
    for (const [at, n] of changes) if (at <= t) seats = n;
    return seats;
  };
}

/** The verdict the beacon predicts for a sample at `t` (its own clock; the Worker's is the same here). */
function predicted(sample: Sample, t: number): string {
  const record = { seats: sample.seats, observed: "ok" as const, lastSeen: t, activity: sample.activity ?? null };
  return verdict(record, POLICY, t).state;
}

/** Push times (ms into the day) and the sample each carries, under the default beacon rule. */
function defaultPushes(sampleAt: (t: number) => Sample): [number, Sample][] {
  const pushes: [number, Sample][] = [];
  let lastPush = Number.NEGATIVE_INFINITY;
  let pushed: { sample: Sample; state: string } | null = null;
  let pending = 0;
  for (let t = 0; t < DAY_MS; t += SAMPLE_MS) {
    const sample = sampleAt(t);
    const state = predicted(sample, t);
    const stateChanged = pushed !== null && state !== pushed.state;
    pending = stateChanged ? pending + 1 : 0;
    const push =
      pushed === null ||
      pending >= CONFIRM_SAMPLES ||
      (!stateChanged && sample.seats !== pushed.sample.seats && t - lastPush >= COALESCE_MS) ||
      t - lastPush >= KEEPALIVE_MS;
    if (push) {
      pushes.push([t, sample]);
      lastPush = t;
      pushed = { sample, state };
      pending = 0;
    }
  }
  return pushes;
}

function naivePushes(sampleAt: (t: number) => Sample): [number, Sample][] {
  const pushes: [number, Sample][] = [];
  for (let t = 0; t < DAY_MS; t += NAIVE_EVERY_MS) pushes.push([t, sampleAt(t)]);
  return pushes;
}

/** A profile of seat counts only, as a beacon without seats at work samples it. */
function seatsOnly(seatsAt: (t: number) => number): (t: number) => Sample {
  return (t) => ({ seats: seatsAt(t) });
}

/** Moves a sample's beacon times (ms into the day) onto the simulated day starting at `start`. */
function onDay(sample: Sample, start: number): Sample {
  if (!sample.activity) return sample;
  const shift = (ms: number | null) => (ms === null ? null : start + ms);
  return {
    ...sample,
    activity: {
      ...sample.activity,
      waitingSince: shift(sample.activity.waitingSince),
      quietSince: shift(sample.activity.quietSince),
    },
    seatList: (sample.seatList ?? []).map((s) => ({ ...s, since: start + Math.max(1, s.since) })),
  };
}

async function simulateDay(id: string, pushes: [number, Sample][], start: number) {
  const host = await enroll(id, { minSeats: MIN_SEATS });
  const counted = countingKv(env.SEATWATCH_KV);
  const bindings = { ...env, SEATWATCH_KV: counted.kv };
  const rejected: Record<number, number> = {};
  const states = new Set<string>();
  for (const [t, sample] of pushes) {
    // The beat arrives a moment after its sample, as it would over a network.
    vi.setSystemTime(start + t + 150);
    const ctx = createExecutionContext();
    const res = await worker.fetch(await signedBeat(host, { ...onDay(sample, start), ts: start + t }), bindings, ctx);
    if (res.status === 202) states.add(((await res.clone().json()) as { state: string }).state);
    await waitOnExecutionContext(ctx);
    if (res.status !== 202) rejected[res.status] = (rejected[res.status] ?? 0) + 1;
    await res.body?.cancel();
  }
  return { beats: pushes.length, rejected, kv: counted.counts, states: [...states].sort() };
}

it("KV writes per host-day", { timeout: 900_000 }, async () => {
  // Tomorrow onwards, so no ledger alarm falls due on its own mid-run.
  const start = Math.ceil(Date.now() / DAY_MS) * DAY_MS + DAY_MS;
  const profiles = {
    steady: seatsOnly(steady()),
    busy: seatsOnly(busy()),
    flipping: flipping(false),
    "flipping-long-waits": flipping(true),
  };
  const results: Record<string, Awaited<ReturnType<typeof simulateDay>>> = {};
  let day = 0;
  for (const [name, sampleAt] of Object.entries(profiles)) {
    results[name] = await simulateDay(`kv-${name}`, defaultPushes(sampleAt), start + DAY_MS * day++);
    results[`${name}-naive`] = await simulateDay(`kv-${name}-naive`, naivePushes(sampleAt), start + DAY_MS * day++);
  }
  vi.useRealTimers();
  console.log(`BENCH ${JSON.stringify(results)}`);
});
