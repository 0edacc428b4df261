/**
 * Bench (issue 6): KV writes per host-day. A simulated day of beats per host, each one signed and
 * sent through the Worker's real fetch handler (rate limit, verification, ingest, ledger hand-off)
 * with the KV binding counted. Run through `tsx bench/kv-writes.ts`; prints one `BENCH {json}` line.
 *
 * The beacon's push rule is DESIGN §3's defaults, simulated here: a sample every 15 s; a state
 * change (seats to 0 or across minSeats) pushed once seen in 2 consecutive samples; other seat
 * changes at most one push a minute; otherwise a keep-alive push every 120 s. The baseline is the
 * naive beacon that pushes every 60 s.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { it, vi } from "vitest";
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

/** Seats seen at each sample of the day, per profile. Deterministic (a seeded LCG), so runs compare. */
function steady(): (t: number) => number {
  return () => 4;
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

/** Push times (ms into the day) and the seats each carries, under the default beacon rule. */
function defaultPushes(seatsAt: (t: number) => number): [number, number][] {
  const kind = (s: number) => (s === 0 ? "blind" : s < MIN_SEATS ? "low" : "up");
  const pushes: [number, number][] = [];
  let lastPush = Number.NEGATIVE_INFINITY;
  let pushedSeats = -1;
  let pending = 0;
  for (let t = 0; t < DAY_MS; t += SAMPLE_MS) {
    const seats = seatsAt(t);
    const stateChanged = pushedSeats >= 0 && kind(seats) !== kind(pushedSeats);
    pending = stateChanged ? pending + 1 : 0;
    const push =
      pushedSeats < 0 ||
      pending >= CONFIRM_SAMPLES ||
      (!stateChanged && seats !== pushedSeats && t - lastPush >= COALESCE_MS) ||
      t - lastPush >= KEEPALIVE_MS;
    if (push) {
      pushes.push([t, seats]);
      lastPush = t;
      pushedSeats = seats;
      pending = 0;
    }
  }
  return pushes;
}

function naivePushes(seatsAt: (t: number) => number): [number, number][] {
  const pushes: [number, number][] = [];
  for (let t = 0; t < DAY_MS; t += NAIVE_EVERY_MS) pushes.push([t, seatsAt(t)]);
  return pushes;
}

async function simulateDay(id: string, pushes: [number, number][], start: number) {
  const host = await enroll(id, { minSeats: MIN_SEATS });
  const counted = countingKv(env.SEATWATCH_KV);
  const bindings = { ...env, SEATWATCH_KV: counted.kv };
  const rejected: Record<number, number> = {};
  for (const [t, seats] of pushes) {
    // The beat arrives a moment after its sample, as it would over a network.
    vi.setSystemTime(start + t + 150);
    const ctx = createExecutionContext();
    const res = await worker.fetch(await signedBeat(host, { seats }), bindings, ctx);
    await waitOnExecutionContext(ctx);
    if (res.status !== 202) rejected[res.status] = (rejected[res.status] ?? 0) + 1;
    await res.body?.cancel();
  }
  return { beats: pushes.length, rejected, kv: counted.counts };
}

it("KV writes per host-day", { timeout: 900_000 }, async () => {
  // Tomorrow onwards, so no ledger alarm falls due on its own mid-run.
  const start = Math.ceil(Date.now() / DAY_MS) * DAY_MS + DAY_MS;
  const profiles = { steady: steady(), busy: busy() };
  const results: Record<string, Awaited<ReturnType<typeof simulateDay>>> = {};
  let day = 0;
  for (const [name, seatsAt] of Object.entries(profiles)) {
    results[name] = await simulateDay(`kv-${name}`, defaultPushes(seatsAt), start + DAY_MS * day++);
    results[`${name}-naive`] = await simulateDay(`kv-${name}-naive`, naivePushes(seatsAt), start + DAY_MS * day++);
  }
  vi.useRealTimers();
  console.log(`BENCH ${JSON.stringify(results)}`);
});
