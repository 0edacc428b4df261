/**
 * The dashboard's fleet, shared for a few seconds through the Cache API (`caches.default`), so many
 * open tabs cost about one pair of KV lists per window instead of one pair per refresh (issue 15):
 * a tab at 30 s alone is ~5,800 lists a day; Free allows 1,000.
 *
 * What is cached is data — the two list walks and the seat histories — never a response: the
 * gate (`requireRead`) runs on every request before this is read, and verdicts are judged at each
 * request's own `now`, so a host still turns silent on time. The entry's key carries a digest of
 * READ_TOKEN: a deployment with another token (or none) on the same zone never reads it, and its
 * URL cannot be guessed without the token.
 *
 * The Cache API is per data centre and, on a custom domain, real; where it does nothing (Cloudflare
 * has documented `*.workers.dev` so), every load simply reads KV as before.
 */
import { bytesToHex } from "../../protocol/base64.ts";
import type { Bindings } from "../env.ts";
import { readHistories, type SeatHistory } from "../fleet/history.ts";
import type { NamedWindow } from "../fleet/maintenance.ts";
import { readWindows } from "../fleet/maintenance-store.ts";
import { type FleetEntry, type HostView, judgeFleet, listFleet } from "../fleet/view.ts";
import { ledgerStub } from "../ledger/ledger.ts";
import type { Monitor } from "../ledger/monitor.ts";
import { withLedgerSince } from "./monitor.ts";

/**
 * How long one listing serves every viewer. Short next to KV's own ~60 s list lag, so the table is
 * barely staler than KV already makes it; the default 30 s refresh then costs at most 2 lists per
 * 15 s per data centre however many tabs are open.
 */
export const FLEET_CACHE_SECONDS = 15;

/** Bumped when the entry's shape changes, so a deploy never reads an older shape. */
const ENTRY_VERSION = 2;

interface Snapshot {
  /** Unix ms (Worker clock) of the list walks. */
  listedAt: number;
  listing: FleetEntry[];
  /** The maintenance windows read with the listing, so a cached listing is judged with them. */
  windows: NamedWindow[];
  histories: [string, SeatHistory][];
}

export interface DashboardFleet {
  fleet: HostView[];
  histories: Map<string, SeatHistory>;
  monitor: Monitor;
}

/** Loads in flight per key in this isolate: concurrent misses share one fill instead of racing. */
const filling = new Map<string, Promise<Snapshot>>();

async function cacheKey(origin: string, readToken: string | undefined): Promise<Request> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`seatwatch-fleet:${readToken ?? ""}`));
  return new Request(`${origin}/.seatwatch-cache/fleet/v${ENTRY_VERSION}/${bytesToHex(new Uint8Array(digest))}`);
}

/**
 * Fresh by the Worker's own clock, not only the cache's max-age: an entry from the future (a clock
 * step) or older than the window is refilled.
 */
function fresh(snapshot: Snapshot, now: number): boolean {
  return snapshot.listedAt <= now && now - snapshot.listedAt < FLEET_CACHE_SECONDS * 1000;
}

async function fill(kv: KVNamespace, key: Request, now: number): Promise<Snapshot> {
  const [listing, windows] = await Promise.all([listFleet(kv), readWindows(kv, true)]);
  const histories = await readHistories(kv, judgeFleet(listing, now, windows));
  const snapshot: Snapshot = { listedAt: now, listing, windows, histories: [...histories] };
  await caches.default.put(
    key,
    new Response(JSON.stringify(snapshot), {
      headers: { "content-type": "application/json", "cache-control": `max-age=${FLEET_CACHE_SECONDS}` },
    }),
  );
  return snapshot;
}

async function snapshot(env: Bindings, origin: string, now: number): Promise<Snapshot> {
  const key = await cacheKey(origin, env.READ_TOKEN);
  const hit = await caches.default.match(key);
  if (hit) {
    const cached = (await hit.json()) as Snapshot;
    if (fresh(cached, now)) return cached;
  }
  const inflight = filling.get(key.url);
  if (inflight) return inflight;
  const loading = fill(env.SEATWATCH_KV, key, now).finally(() => filling.delete(key.url));
  filling.set(key.url, loading);
  return loading;
}

/** The fleet, its seat histories and the monitor, as the dashboard shows them at `now`. */
export async function dashboardFleet(env: Bindings, origin: string, now: number): Promise<DashboardFleet> {
  const [shared, ledger] = await Promise.all([snapshot(env, origin, now), ledgerStub(env).status(now)]);
  return {
    fleet: withLedgerSince(judgeFleet(shared.listing, now, shared.windows), ledger.hosts),
    histories: new Map(shared.histories),
    monitor: ledger.monitor,
  };
}
