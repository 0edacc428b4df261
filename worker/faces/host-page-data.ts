/**
 * What one host's page shows (DESIGN §5, `GET /hosts/:id`), read fresh on every load: the host's
 * config and last beat from KV (two reads, no lists) and, from the ledger, its announced `since`,
 * the monitor, and the transitions of the last 30 days. Uptime and the daily strip are computed
 * from those transitions, as `GET /v1/hosts/:id/events` computes them.
 */
import type { Bindings } from "../env.ts";
import { type DuplicateBeacon, duplicateBeacon } from "../fleet/duplicate.ts";
import { beatMeta, hostMeta } from "../fleet/records.ts";
import { type BeatRecord, type HostConfig, readBeat, readHost } from "../fleet/store.ts";
import { type HostView, hostView } from "../fleet/view.ts";
import { ledgerStub } from "../ledger/ledger.ts";
import type { Monitor } from "../ledger/monitor.ts";
import type { HostTransition } from "../ledger/transitions.ts";
import { withLedgerSince } from "./monitor.ts";
import { warnings } from "./status.ts";
import { UPTIME_WINDOWS, type Uptime, uptimeWindows } from "./uptime.ts";
import { type StripDay, uptimeStrip } from "./uptime-face.ts";

/** Transitions listed on the page; uptime and the strip always use every one in the 30 days. */
const TIMELINE_SHOWN = 100;

export interface HostPageData {
  config: HostConfig;
  view: HostView;
  record: BeatRecord | null;
  monitor: Monitor;
  /** Newest first, at most TIMELINE_SHOWN. */
  transitions: HostTransition[];
  uptime: Record<keyof typeof UPTIME_WINDOWS, Uptime>;
  strip: StripDay[];
  warnings: string[];
  duplicate: DuplicateBeacon | null;
  now: number;
}

/** The page's data, or null when no host of that id is enrolled. */
export async function loadHostPage(env: Bindings, id: string, now: number): Promise<HostPageData | null> {
  const kv = env.SEATWATCH_KV;
  // Not edge-cached: an operator who just paused the host expects the page to say so.
  const config = await readHost(kv, id);
  if (!config) return null;
  const record = await readBeat(kv, id, config.epoch);
  const view = hostView(id, hostMeta(config), record && beatMeta(record), now);
  const ledger = ledgerStub(env);
  const [status, history] = await Promise.all([
    ledger.status(now, id),
    ledger.history(id, config.epoch, now - UPTIME_WINDOWS["30d"], TIMELINE_SHOWN),
  ]);
  return {
    config,
    view: withLedgerSince([view], status.hosts)[0] ?? view,
    record,
    monitor: status.monitor,
    transitions: history.transitions,
    uptime: uptimeWindows(history.changes, now),
    strip: uptimeStrip(history.changes, now),
    warnings: warnings(record, id, now),
    duplicate: duplicateBeacon(record, id, now),
    now,
  };
}
