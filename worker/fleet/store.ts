/**
 * Workers KV layout (DESIGN §6), one writer per key:
 *   cfg:<id>   host config (policy, epoch), written only by admin calls; metadata = what the cron needs
 *   key:<id>   the host's registered public key (whpk_…), written by enrollment and by admin calls
 *              that set `publicKey`: apart from cfg:, so an enrollment racing an admin PATCH cannot
 *              undo the PATCH (KV has no compare-and-set). Only the beat path and host detail read it.
 *   beat:<id>  the last accepted beat + bounded seat history, written only by the beat path;
 *              metadata (≤ 1,024 bytes) = what the cron and the status list need, so they never
 *              read hosts one by one.
 * `epoch` is a random id chosen when a host is created: a beat record whose epoch differs from its
 * config's belongs to a deleted incarnation (e.g. a beat that was in flight during DELETE) and is ignored.
 */
import type { Policy } from "../../protocol/policy.ts";
import { type BeatRecord, beatMeta, type HostConfig, type HostMeta, hostMeta } from "./records.ts";

// Importers that have not moved to records.ts yet (cron, ledger, view) still find the shapes here.
export type { BeatMeta, BeatRecord, HostConfig, HostMeta } from "./records.ts";

export const CFG_PREFIX = "cfg:";
export const BEAT_PREFIX = "beat:";
export const KEY_PREFIX = "key:";

/** Seat history kept per host: at a 120 s keep-alive this covers about two hours of sparkline. */
export const HISTORY_LENGTH = 60;

/** Edge cache for host config reads on the beat path; admin changes reach every edge within this. */
const CONFIG_CACHE_TTL_SECONDS = 60;

/**
 * Configs written before key:<id> existed carry the public key inside cfg:<id>, and their
 * `pausedUntil` is ISO 8601 rather than unix ms. They are read as today's shape (the key from
 * cfg: when key:<id> is absent) until the next admin write stores them anew, so a deploy neither
 * locks enrolled hosts out nor unpauses paused ones.
 */
interface StoredConfig extends HostConfig {
  publicKey?: string | null;
}

function upgradePolicy(policy: Policy): Policy {
  const until: unknown = policy.pausedUntil;
  return typeof until === "string" ? { ...policy, pausedUntil: Date.parse(until) } : policy;
}

export async function readHost(kv: KVNamespace, id: string, edgeCached = false): Promise<HostConfig | null> {
  const stored = await readStored(kv, id, edgeCached);
  if (!stored) return null;
  const { publicKey: _legacy, ...config } = stored;
  return { ...config, policy: upgradePolicy(config.policy) };
}

function readStored(kv: KVNamespace, id: string, edgeCached: boolean): Promise<StoredConfig | null> {
  const options: KVNamespaceGetOptions<"json"> = { type: "json" };
  if (edgeCached) options.cacheTtl = CONFIG_CACHE_TTL_SECONDS;
  return kv.get<StoredConfig>(CFG_PREFIX + id, options);
}

/** Every host's config metadata (what the cron and the fleet views need), in host id order. */
export async function listHosts(kv: KVNamespace): Promise<Listed<HostMeta>[]> {
  const listed = await listWithMeta<HostMeta>(kv, CFG_PREFIX);
  return listed.map(({ id, meta }) => ({ id, meta: { ...meta, policy: upgradePolicy(meta.policy) } }));
}

export function writeHost(kv: KVNamespace, config: HostConfig): Promise<void> {
  return kv.put(CFG_PREFIX + config.id, JSON.stringify(config), { metadata: hostMeta(config) });
}

export async function deleteHost(kv: KVNamespace, id: string): Promise<void> {
  await kv.delete(CFG_PREFIX + id);
  await kv.delete(KEY_PREFIX + id);
  await kv.delete(BEAT_PREFIX + id);
}

/** Which incarnation of the host (its config's epoch) registered the key: `key:<id>`'s metadata. */
interface KeyMeta {
  epoch: string;
}

/**
 * The host's registered public key, or null. A key registered for an earlier incarnation of the
 * host (an enrollment that finished after the host was deleted, then re-created) is no key: the
 * re-created host starts unenrolled, and beats signed with the old key are refused. A key stored
 * before keys carried their epoch is taken as this incarnation's.
 */
export async function readKey(
  kv: KVNamespace,
  host: Pick<HostConfig, "id" | "epoch">,
  edgeCached = false,
): Promise<string | null> {
  const options: KVNamespaceGetOptions<"text"> = { type: "text" };
  if (edgeCached) options.cacheTtl = CONFIG_CACHE_TTL_SECONDS;
  const { value, metadata } = await kv.getWithMetadata<KeyMeta>(KEY_PREFIX + host.id, options);
  if (value !== null) return metadata?.epoch === undefined || metadata.epoch === host.epoch ? value : null;
  return (await readStored(kv, host.id, edgeCached))?.publicKey ?? null;
}

/** `null` removes the key: the host stays enrolled and its beats are refused until a key is set. */
export function writeKey(
  kv: KVNamespace,
  host: Pick<HostConfig, "id" | "epoch">,
  publicKey: string | null,
): Promise<void> {
  const metadata: KeyMeta = { epoch: host.epoch };
  return publicKey === null ? kv.delete(KEY_PREFIX + host.id) : kv.put(KEY_PREFIX + host.id, publicKey, { metadata });
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
