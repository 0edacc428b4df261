/**
 * Workers KV layout (DESIGN §6), one writer per key:
 *   cfg:<id>   host config, written only by admin calls; metadata = what the cron needs
 *   beat:<id>  the last accepted beat + bounded seat history, written only by the beat path;
 *              metadata (≤ 1,024 bytes) = what the cron and the status list need, so they never
 *              read hosts one by one.
 * `epoch` is a random id chosen when a host is created: a beat record whose epoch differs from its
 * config's belongs to a deleted incarnation (e.g. a beat that was in flight during DELETE) and is ignored.
 */
import type { Beat, Observed } from "../../protocol/beat.ts";
import type { Policy } from "../../protocol/policy.ts";
import type { State } from "../../protocol/verdict.ts";

export const CFG_PREFIX = "cfg:";
export const BEAT_PREFIX = "beat:";

/** Seat history kept per host: at a 120 s keep-alive this covers about two hours of sparkline. */
export const HISTORY_LENGTH = 60;

/** Edge cache for host config reads on the beat path; admin changes reach every edge within this. */
const CONFIG_CACHE_TTL_SECONDS = 60;

export interface HostConfig {
  id: string;
  publicKey: string | null;
  policy: Policy;
  epoch: string;
  createdAt: string;
  updatedAt: string;
}

export interface HostMeta {
  epoch: string;
  createdAt: string;
  hasKey: boolean;
  policy: Policy;
}

export interface BeatRecord {
  epoch: string;
  beat: Beat;
  lastSeen: number;
  clockOffsetMs: number;
  state: State;
  reason: string | null;
  /** When `state` began, as the beat path saw it (unix ms). */
  since: number;
  /** [arrival ms, seats], oldest first. */
  history: [number, number][];
  /** Beacon instance runs and the last switch back to an earlier one (duplicate.ts); absent on older records. */
  instances?: string[];
  duplicateAt?: number | null;
}

export interface BeatMeta {
  epoch: string;
  lastSeen: number;
  ts: number;
  seats: number;
  idle: number;
  observed: Observed;
  reason: string | null;
  state: State;
  since: number;
  offset: number;
  /** The beat record's `duplicateAt`, so list walks can raise `duplicate_beacon`; absent on older records. */
  duplicateAt?: number | null;
}

export function hostMeta(config: HostConfig): HostMeta {
  return { epoch: config.epoch, createdAt: config.createdAt, hasKey: config.publicKey !== null, policy: config.policy };
}

export function beatMeta(record: BeatRecord): BeatMeta {
  return {
    epoch: record.epoch,
    lastSeen: record.lastSeen,
    ts: record.beat.ts,
    seats: record.beat.seats,
    idle: record.beat.idle,
    observed: record.beat.observed,
    reason: record.beat.reason ?? null,
    state: record.state,
    since: record.since,
    offset: record.clockOffsetMs,
    duplicateAt: record.duplicateAt ?? null,
  };
}

export function readHost(kv: KVNamespace, id: string, edgeCached = false): Promise<HostConfig | null> {
  const options: KVNamespaceGetOptions<"json"> = { type: "json" };
  if (edgeCached) options.cacheTtl = CONFIG_CACHE_TTL_SECONDS;
  return kv.get<HostConfig>(CFG_PREFIX + id, options);
}

export function writeHost(kv: KVNamespace, config: HostConfig): Promise<void> {
  return kv.put(CFG_PREFIX + config.id, JSON.stringify(config), { metadata: hostMeta(config) });
}

export async function deleteHost(kv: KVNamespace, id: string): Promise<void> {
  await kv.delete(CFG_PREFIX + id);
  await kv.delete(BEAT_PREFIX + id);
}

/** The host's beat record, or null when none exists for this incarnation of the host. */
export async function readBeat(kv: KVNamespace, id: string, epoch: string): Promise<BeatRecord | null> {
  const record = await kv.get<BeatRecord>(BEAT_PREFIX + id, "json");
  return record && record.epoch === epoch ? record : null;
}

export function writeBeat(kv: KVNamespace, id: string, record: BeatRecord): Promise<void> {
  return kv.put(BEAT_PREFIX + id, JSON.stringify(record), { metadata: beatMeta(record) });
}

export interface Listed<M> {
  id: string;
  meta: M;
}

/** Every key under a prefix with its metadata: one `list()` call per 1,000 keys, no per-key reads. */
export async function listWithMeta<M>(kv: KVNamespace, prefix: string): Promise<Listed<M>[]> {
  const out: Listed<M>[] = [];
  let cursor: string | undefined;
  do {
    const page: KVNamespaceListResult<M, string> = await kv.list<M>(cursor ? { prefix, cursor } : { prefix });
    for (const key of page.keys) {
      if (key.metadata !== undefined) out.push({ id: key.name.slice(prefix.length), meta: key.metadata });
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out;
}
