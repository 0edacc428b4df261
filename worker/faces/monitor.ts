/**
 * The monitor's own health for the read faces: the ledger's record of the dead-man's switch's cron
 * runs and undelivered alerts, and each host's `since` as the ledger recorded it (DESIGN §2). One
 * Durable Object request per page or scrape; badges do not ask (they show hosts, not the alerting).
 */
import type { Bindings } from "../env.ts";
import { type HostView, loadFleet } from "../fleet/view.ts";
import { ledgerStub } from "../ledger/ledger.ts";
import type { Monitor } from "../ledger/monitor.ts";
import type { LedgerHostState } from "../ledger/records.ts";

/** `since` from the ledger where it knows the host's current state; KV's estimate otherwise. */
export function withLedgerSince(views: HostView[], known: Record<string, LedgerHostState>): HostView[] {
  return views.map((h) => {
    const k = known[h.id];
    return k && k.state === h.state ? { ...h, since: k.since } : h;
  });
}

/** The whole fleet as /v1/status, /v1/check, /v1/hosts and the dashboard show it, with the monitor. */
export async function loadWatchedFleet(env: Bindings, now: number): Promise<{ fleet: HostView[]; monitor: Monitor }> {
  const [fleet, ledger] = await Promise.all([loadFleet(env.SEATWATCH_KV, now), ledgerStub(env).status(now)]);
  return { fleet: withLedgerSince(fleet, ledger.hosts), monitor: ledger.monitor };
}

/** One host's view with the ledger's `since`, and the monitor. */
export async function watchedHost(
  env: Bindings,
  view: HostView,
  now: number,
): Promise<{ view: HostView; monitor: Monitor }> {
  const ledger = await ledgerStub(env).status(now, view.id);
  return { view: withLedgerSince([view], ledger.hosts)[0] ?? view, monitor: ledger.monitor };
}

export function loadMonitor(env: Bindings, now: number): Promise<Monitor> {
  return ledgerStub(env).monitor(now);
}
