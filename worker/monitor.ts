/**
 * The monitor's own health for the read faces (badges, metrics, dashboard), behind one function so
 * the dead-man's switch can answer from the ledger without touching them. Until the ledger lands,
 * the cron has never run: no last run, nothing evaluated, nothing undelivered — the same answer
 * routes/status.ts gives.
 */
import type { Bindings } from "./env.ts";
import type { Monitor } from "./status.ts";

export async function loadMonitor(_env: Bindings): Promise<Monitor> {
  return { lastCronAt: null, hostsEvaluated: 0, stale: false, undelivered: 0 };
}
