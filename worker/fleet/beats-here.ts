/**
 * What this isolate knows of beats beyond KV: which hosts' beats it is handling right now, and
 * what it accepted recently. KV has no compare-and-set, so copies of one beat arriving together
 * all read the same record, and all would be accepted (written at once, they can also trip KV's
 * one write a second per key). Within one isolate they no longer can: the first is handled, a copy
 * is `409 replayed`, another beat of the host meanwhile `429`. Across isolates and locations KV's
 * window remains (README, security notes).
 */
import type { SeenInstance } from "./records.ts";
import { mergeSeen } from "./replay.ts";

interface Recent {
  epoch: string;
  seen: SeenInstance[];
  lastSeen: number;
}

/** Hosts remembered per isolate; past this the memory starts over (KV still holds everything). */
const MAX_REMEMBERED = 1_000;
const handling = new Map<string, { instance: string; seq: number }>();
const recent = new Map<string, Recent>();

export type Clash = "replayed" | "busy";

/**
 * Claims the host for this beat, or says why not: a copy of the beat being handled (or an older
 * one of its instance) is a replay; any other beat of the host must wait its turn.
 */
export function claimHost(host: string, beat: { instance: string; seq: number }): Clash | null {
  const current = handling.get(host);
  if (current) return current.instance === beat.instance && beat.seq <= current.seq ? "replayed" : "busy";
  handling.set(host, { instance: beat.instance, seq: beat.seq });
  return null;
}

export function releaseHost(host: string): void {
  handling.delete(host);
}

/** The beat record as KV gave it, with what this isolate accepted since (its read may lag). */
export function withRecent(
  host: string,
  epoch: string,
  seen: readonly SeenInstance[],
  lastSeen: number | null,
): { seen: SeenInstance[]; lastSeen: number | null } {
  const here = recent.get(host);
  if (!here || here.epoch !== epoch) return { seen: [...seen], lastSeen };
  return { seen: mergeSeen(seen, here.seen), lastSeen: Math.max(lastSeen ?? 0, here.lastSeen) };
}

export function rememberAccepted(host: string, epoch: string, seen: SeenInstance[], lastSeen: number): void {
  if (recent.size >= MAX_REMEMBERED && !recent.has(host)) recent.clear();
  recent.set(host, { epoch, seen, lastSeen });
}
