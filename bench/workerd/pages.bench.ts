/**
 * Bench (issue 15): the HTML pages inside workerd, through the Worker's real fetch handler with
 * real local KV, the real ledger and the real Cache API. Run through `tsx bench/pages.ts`; prints
 * one `BENCH {json}` line.
 *
 * (1) CPU per request — the workerd processes' CPU time around ROUNDS requests of each path,
 * interleaved: a 404 (the baseline: routing and the error answer), the dashboard with its shared
 * fleet listing warm, the dashboard with a cold listing (a new origin per request, so every load
 * lists), and a host page with a month of transitions. CPU includes local KV's and the ledger's
 * simulation work, so it overstates production CPU alike for every path.
 *
 * (2) KV operations per dashboard refresh, before the cache (the route's old reads: loadFleet's two
 * list walks and readHistories' bulk reads, per refresh) and after (the real handler), for one tab
 * and for ten tabs refreshing every 30 s for an hour of Worker time.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { inject, it, vi } from "vitest";
import { beat, cron } from "../../test/worker/alerting.ts";
import { enroll } from "../../test/worker/helpers.ts";
import { countingKv, type KvCounts, seedFleet } from "../../test/worker/seed.ts";
import { readHistories } from "../../worker/fleet/history.ts";
import { loadFleet } from "../../worker/fleet/view.ts";
import worker from "../../worker/index.ts";

const FLEET = 250;
const ROUNDS = 100;
const REFRESH_MS = 30_000;
const HOUR_MS = 3_600_000;
const D = 86_400_000;

async function cpuMs(): Promise<number> {
  return ((await (await fetch(`${inject("receiverUrl")}/cpu`)).json()) as { ms: number }).ms;
}

async function get(url: string, bindings: typeof env = env): Promise<number> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(url), bindings, ctx);
  await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return res.status;
}

function lists(c: KvCounts): number {
  return Object.values(c.list).reduce((a, b) => a + b, 0);
}

it("pages: CPU per request and KV operations per dashboard refresh", { timeout: 900_000 }, async () => {
  // Tomorrow onwards, so no ledger alarm falls due on its own mid-run.
  const now = Math.ceil(Date.now() / D) * D + D;
  vi.setSystemTime(now - 30 * D);
  const page = await enroll("bench-page", { minSeats: 2 });
  // A month of history: a beat a day, every third day low for a while, a silence found by the cron.
  for (let day = 30; day > 0; day--) {
    vi.setSystemTime(now - day * D);
    await beat(page, { seats: day % 3 === 0 ? 1 : 3 });
    if (day % 3 === 0) {
      vi.setSystemTime(now - day * D + 3_600_000);
      await beat(page, { seats: 3 });
    }
  }
  await cron(now - D + 600_000);
  vi.setSystemTime(now - 60_000);
  await beat(page, { seats: 4 });
  vi.setSystemTime(now);
  await seedFleet(
    env.SEATWATCH_KV,
    Array.from({ length: FLEET - 1 }, (_, i) => ({
      id: `bench-${String(i).padStart(3, "0")}`,
      lastSeen: now - 30_000,
    })),
  );

  // (1) CPU per request, interleaved so drift on a shared machine lands on every path alike.
  const paths: Record<string, (round: number) => string> = {
    "404 (baseline)": () => "https://bench.test/nothing",
    "dashboard, listing shared": () => "https://bench.test/",
    "dashboard, listing cold": (round) => `https://cold-${round}.bench.test/`,
    "host page": () => "https://bench.test/hosts/bench-page",
  };
  for (const path of Object.values(paths)) await get(path(-1));
  const cpu: Record<string, number> = Object.fromEntries(Object.keys(paths).map((p) => [p, 0]));
  const wall: Record<string, number> = Object.fromEntries(Object.keys(paths).map((p) => [p, 0]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, path] of Object.entries(paths)) {
      const c0 = await cpuMs();
      const w0 = performance.now();
      await get(path(round));
      wall[name] = (wall[name] ?? 0) + performance.now() - w0;
      cpu[name] = (cpu[name] ?? 0) + (await cpuMs()) - c0;
    }
  }
  const perRequest = Object.fromEntries(
    Object.keys(paths).map((p) => [p, { cpuMs: (cpu[p] ?? 0) / ROUNDS, wallMs: (wall[p] ?? 0) / ROUNDS }]),
  );
  // The /cpu call itself, measured the same way: subtracted by the runner as the floor.
  const f0 = await cpuMs();
  for (let i = 0; i < ROUNDS; i++) await cpuMs();
  const probeCpuMs = ((await cpuMs()) - f0) / ROUNDS;

  // (2) KV operations per refresh: the reads the route made before the cache, per refresh.
  const before = countingKv(env.SEATWATCH_KV);
  await readHistories(before.kv, await loadFleet(before.kv, now));

  async function tabs(count: number, origin: string) {
    const counted = countingKv(env.SEATWATCH_KV);
    const bindings = { ...env, SEATWATCH_KV: counted.kv };
    // Each tab refreshes every 30 s; the tabs are spread evenly over the interval.
    const loads: number[] = [];
    for (let t = 0; t < HOUR_MS; t += REFRESH_MS) {
      for (let tab = 0; tab < count; tab++) loads.push(now + t + Math.floor((tab * REFRESH_MS) / count));
    }
    loads.sort((a, b) => a - b);
    for (const at of loads) {
      vi.setSystemTime(at);
      if ((await get(`${origin}/`, bindings)) !== 200) throw new Error("dashboard load failed");
    }
    return { tabs: count, loads: loads.length, kv: counted.counts };
  }
  const oneTab = await tabs(1, "https://one-tab.bench.test");
  const tenTabs = await tabs(10, "https://ten-tabs.bench.test");
  vi.useRealTimers();

  console.log(
    `BENCH ${JSON.stringify({
      fleet: FLEET,
      rounds: ROUNDS,
      perRequest,
      probeCpuMs,
      before: { lists: lists(before.counts), list: before.counts.list, get: before.counts.get },
      after: [oneTab, tenTabs].map((r) => ({ ...r, lists: lists(r.kv) })),
    })}`,
  );
});
