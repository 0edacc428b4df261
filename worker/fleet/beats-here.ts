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
/**
 * A claim older than this is free again. Handling a beat takes two KV calls, milliseconds; but a
 * request whose client went away may be cancelled mid-await, and its `finally` never runs — its
 * claim must not keep the host's later beats out of this isolate.
 */
export const CLAIM_EXPIRES_MS = 10_000;
const handling = new Map<string, Claim>();
const recent = new Map<string, Recent>();

export type Clash = "replayed" | "busy";

/** This isolate's hold on a host while one of its beats is handled. */
export interface Claim {
  host: string;
  epoch: string;
  instance: string;
  seq: number;
  at: number;
}

/**
 * Claims the host for this beat, or says why not: a copy of the beat being handled (or an older
 * one of its instance) is a replay; any other beat of the host must wait its turn. A claim of
 * another incarnation of the host, or one held past CLAIM_EXPIRES_MS, does not count.
 */
export function claimHost(
  host: string,
  epoch: string,
  beat: { instance: string; seq: number },
  now: number,
): Clash | Claim {
  const current = handling.get(host);
  if (current && current.epoch === epoch && now - current.at < CLAIM_EXPIRES_MS) {
    return current.instance === beat.instance && beat.seq <= current.seq ? "replayed" : "busy";
  }
  const claim = { host, epoch, instance: beat.instance, seq: beat.seq, at: now };
  handling.set(host, claim);
  return claim;
}

/** Lets go of `claim`; a claim that expired and was taken over by a later beat stays with it. */
export function releaseHost(claim: Claim): void {
  if (handling.get(claim.host) === claim) handling.delete(claim.host);
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
