/**
 * Host config and imported public keys (cfg:<id>, key:<id>) cached in isolate memory, so forged or repeated beats
 * cost no KV read and no key import (DESIGN §5). Admin writes in this isolate drop the entry at
 * once; other isolates see a change within the TTL (KV itself takes up to ~60 s to propagate).
 */
import { decodePublicKey, importPublicKey } from "../../protocol/keys.ts";
import type { HostConfig } from "./records.ts";
import { readHost, readKey } from "./store.ts";

/** How long a known host stays cached; matches the KV edge cache. */
const HIT_TTL_MS = 60_000;
/** Unknown hosts are remembered briefly: enough to absorb a storm, short enough that a new enrollment works soon. */
const MISS_TTL_MS = 5_000;
/** Bounds isolate memory when forged traffic names many hosts. */
const MAX_ENTRIES = 10_000;

export interface CachedHost {
  config: HostConfig;
  key: CryptoKey | null;
}

const cache = new Map<string, { value: CachedHost | null; expires: number }>();

export async function cachedHost(kv: KVNamespace, id: string, now: number): Promise<CachedHost | null> {
  const hit = cache.get(id);
  if (hit && hit.expires > now) return hit.value;
  const config = await readHost(kv, id, true);
  // The key only once the host is known, so a beat naming an unknown host still costs one read.
  const raw = config ? decodePublicKey(await readKey(kv, config, true)) : null;
  const value = config ? { config, key: raw ? await importPublicKey(raw) : null } : null;
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(id, { value, expires: now + (value ? HIT_TTL_MS : MISS_TTL_MS) });
  return value;
}

export function forgetHost(id: string): void {
  cache.delete(id);
}
