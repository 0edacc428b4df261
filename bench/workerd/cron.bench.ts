/**
 * Bench (issue 5): one cron evaluation of a 10,000-host fleet inside workerd, against the naive
 * baseline that reads every host's config and beat one by one. Run through `tsx bench/cron.ts`.
 * Prints one `BENCH {json}` line; CPU is the workerd processes' own CPU time around each run
 * (it includes local KV's and the ledger's simulation work, so it overstates production CPU).
 */
import { env } from "cloudflare:workers";
import { inject, it } from "vitest";
import { verdict } from "../../protocol/verdict.ts";
import { countingKv, seedFleet } from "../../test/worker/seed.ts";
import { runCron } from "../../worker/cron.ts";
import type { HostMeta } from "../../worker/fleet/store.ts";
import { type BeatRecord, type HostConfig, listWithMeta } from "../../worker/fleet/store.ts";
import { ledgerStub } from "../../worker/ledger/ledger.ts";

const HOSTS = 10_000;
const SILENT_EVERY = 100;

async function cpuMs(): Promise<number> {
  return ((await (await fetch(`${inject("receiverUrl")}/cpu`)).json()) as { ms: number }).ms;
}

async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; wallMs: number; cpuMs: number }> {
  const cpu0 = await cpuMs();
  const t0 = performance.now();
  const result = await fn();
  const wallMs = performance.now() - t0;
  return { result, wallMs, cpuMs: (await cpuMs()) - cpu0 };
}

/**
 * What a cron without list metadata would do: list keys, then read each host's config and beat.
 * Measured over NAIVE_SAMPLE hosts (20,000 sequential local reads lose workerd's loopback
 * connection); the runner scales its figures to the full fleet and says so.
 */
const NAIVE_SAMPLE = 1_000;
async function naiveCron(kv: KVNamespace, now: number): Promise<number> {
  const hosts = (await listWithMeta<HostMeta>(kv, "cfg:")).slice(0, NAIVE_SAMPLE);
  let differing = 0;
  for (const { id } of hosts) {
    const [config, record] = await Promise.all([
      kv.get<HostConfig>(`cfg:${id}`, "json"),
      kv.get<BeatRecord>(`beat:${id}`, "json"),
    ]);
    if (!config || !record) continue;
    const observation = { ...record.beat, lastSeen: record.lastSeen };
    if (verdict(observation, config.policy, now).state !== record.state) differing++;
  }
  return differing;
}

it("10,000-host cron evaluation", { timeout: 900_000 }, async () => {
  const now = Date.now();
  const ids = Array.from({ length: HOSTS }, (_, i) => `host-${String(i).padStart(5, "0")}`);
  const seedStart = performance.now();
  await seedFleet(
    env.SEATWATCH_KV,
    ids.map((id, i) => ({ id, lastSeen: i % SILENT_EVERY === 0 ? now - 600_000 : now - 30_000 })),
  );
  const seedMs = performance.now() - seedStart;

  const ours = countingKv(env.SEATWATCH_KV);
  const run = await measure(() => runCron(ours.kv, ledgerStub(env), now));
  // A second run: the silent hosts are known to the ledger now, the steady state of a real fleet.
  const steady = countingKv(env.SEATWATCH_KV);
  const again = await measure(() => runCron(steady.kv, ledgerStub(env), now + 60_000));
  const naive = countingKv(env.SEATWATCH_KV);
  const base = await measure(() => naiveCron(naive.kv, now));

  const kvOps = (c: typeof ours.counts) =>
    Object.values(c.list).reduce((a, b) => a + b, 0) + c.get + c.getWithMetadata + c.put + c.delete;
  console.log(
    `BENCH ${JSON.stringify({
      hosts: HOSTS,
      silent: HOSTS / SILENT_EVERY,
      seedMs: Math.round(seedMs),
      first: {
        wallMs: Math.round(run.wallMs),
        cpuMs: run.cpuMs,
        kv: ours.counts,
        kvOps: kvOps(ours.counts),
        report: run.result,
      },
      steady: {
        wallMs: Math.round(again.wallMs),
        cpuMs: again.cpuMs,
        kvOps: kvOps(steady.counts),
        report: again.result,
      },
      naive: {
        sample: NAIVE_SAMPLE,
        wallMs: Math.round(base.wallMs),
        cpuMs: base.cpuMs,
        kv: naive.counts,
        kvOps: kvOps(naive.counts),
        differing: base.result,
      },
    })}`,
  );
});
