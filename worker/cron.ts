/**
 * The dead-man's switch (DESIGN §6). Every minute: list host config and beats *with metadata*
 * (one `list()` page per 1,000 keys per prefix, no per-host reads), judge every host with
 * `now = scheduledTime`, and hand the ledger only the hosts whose verdict differs from the state
 * their last beat stored — silence, mostly. The KV namespace and the ledger are parameters, so a
 * test or a bench can count every operation.
 */

import { verdict } from "../protocol/verdict.ts";
import { listFleet } from "./fleet/view.ts";
import type { Ledger } from "./ledger/ledger.ts";
import type { CronRun } from "./ledger/monitor.ts";
import { type Observation, observation } from "./ledger/observation.ts";

/** Hosts per ledger request: keeps each request's body and the ledger's synchronous work bounded. */
export const HANDOFF_BATCH = 1_000;
/**
 * Hosts handed over per run. Beyond this the rest waits for the next run, which starts where this
 * one stopped (the ledger keeps the cursor), so a long-lasting difference is never starved.
 */
export const MAX_HANDOFF_PER_RUN = 10_000;
/**
 * A host whose stored state changed this recently is handed over again even when it agrees with
 * its beat: the beat path tells the ledger through `waitUntil`, and if that request was lost the
 * next cron runs repair it. The ledger ignores what it already knows.
 */
export const RECHECK_WINDOW_MS = 180_000;

export interface CronReport {
  at: number;
  hostsEvaluated: number;
  handed: number;
  carried: number;
  ledgerRequests: number;
  alertsQueued: number;
}

type LedgerApi = Pick<DurableObjectStub<Ledger>, "observe" | "recordRun" | "handoffCursor">;

export interface CronLimits {
  batch: number;
  maxHandoff: number;
}

export async function runCron(
  kv: KVNamespace,
  ledger: LedgerApi,
  scheduledTime: number,
  limits: CronLimits = { batch: HANDOFF_BATCH, maxHandoff: MAX_HANDOFF_PER_RUN },
): Promise<CronReport> {
  const fleet = await listFleet(kv);
  const differing: Observation[] = [];
  for (const { id, host, beat } of fleet) {
    // A host that never beat (in this incarnation) is `new` or `paused`: nothing to announce.
    if (!beat) continue;
    const judged = verdict(beat, host.policy, scheduledTime);
    const recent = scheduledTime - beat.since < RECHECK_WINDOW_MS;
    if (judged.state === beat.state && !recent) continue;
    differing.push(observation(id, host, beat, judged, scheduledTime));
  }

  let ledgerRequests = 0;
  let window = differing;
  let cursor: string | null = null;
  if (differing.length > limits.maxHandoff) {
    // `listFleet` keeps KV's lexicographic key order, so `differing` is sorted by id.
    const from = await ledger.handoffCursor();
    ledgerRequests++;
    const start =
      from === null
        ? 0
        : Math.max(
            0,
            differing.findIndex((o) => o.host > from),
          );
    window = [...differing.slice(start), ...differing.slice(0, start)].slice(0, limits.maxHandoff);
    cursor = window[window.length - 1]?.host ?? null;
  }
  for (let i = 0; i < window.length; i += limits.batch) {
    await ledger.observe(window.slice(i, i + limits.batch), scheduledTime);
    ledgerRequests++;
  }
  const run: CronRun = {
    at: scheduledTime,
    hostsEvaluated: fleet.length,
    handed: window.length,
    carried: differing.length - window.length,
    cursor,
  };
  const { alertsQueued } = await ledger.recordRun(run);
  ledgerRequests++;
  return {
    at: scheduledTime,
    hostsEvaluated: run.hostsEvaluated,
    handed: run.handed,
    carried: run.carried,
    ledgerRequests,
    alertsQueued,
  };
}

/** A watchdog that has not answered in 5 s is someone else's outage; the next run pings again. */
const WATCHDOG_TIMEOUT_MS = 5_000;

/** Monitors the monitor (DESIGN §6): e.g. a healthchecks.io check URL, pinged after every run. */
export async function pingWatchdog(url: string): Promise<void> {
  try {
    const res = await fetch(url, { method: "GET", signal: AbortSignal.timeout(WATCHDOG_TIMEOUT_MS) });
    await res.body?.cancel();
    if (!res.ok) console.error(JSON.stringify({ watchdog: url.replace(/\/[^/]*$/, "/***"), status: res.status }));
  } catch (err) {
    console.error(JSON.stringify({ watchdog: "unreachable", error: String(err) }));
  }
}
