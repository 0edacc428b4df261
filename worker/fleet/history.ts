/**
 * Seat history for sparklines. It lives in each `beat:<id>` value (list metadata has no room for
 * it: 1,024 bytes), so reading it is one KV read per host; bulk `get` fetches up to 100 keys a
 * call, so a dashboard of 1,000 hosts costs 10 calls. Only the dashboard pays this; every other
 * read face stays on `loadFleet`'s two list walks.
 */

import type { BeatRecord } from "./records.ts";
import { BEAT_PREFIX } from "./store.ts";
import type { HostView } from "./view.ts";

/** Workers KV's limit on keys per bulk get. */
const BULK_GET_MAX_KEYS = 100;

export type SeatHistory = [at: number, seats: number][];

export async function readHistories(kv: KVNamespace, hosts: readonly HostView[]): Promise<Map<string, SeatHistory>> {
  const beating = hosts.filter((h) => h.lastSeen !== null);
  const out = new Map<string, SeatHistory>();
  for (let at = 0; at < beating.length; at += BULK_GET_MAX_KEYS) {
    const chunk = beating.slice(at, at + BULK_GET_MAX_KEYS);
    const records = await kv.get<BeatRecord>(
      chunk.map((h) => BEAT_PREFIX + h.id),
      "json",
    );
    for (const host of chunk) {
      const record = records.get(BEAT_PREFIX + host.id);
      // KV lists can lag a value by up to a minute, so the value may be newer than the view: fine.
      // An older one belongs to a deleted incarnation of the host (the view saw a newer beat).
      if (record && host.lastSeen !== null && record.lastSeen >= host.lastSeen) out.set(host.id, record.history);
    }
  }
  return out;
}
