/** Writes a synthetic fleet straight into the real local KV, in the layout the Worker writes (store.ts). */

import { DEFAULT_POLICY, type Policy } from "../../protocol/policy.ts";
import type { BeatRecord, HostConfig } from "../../worker/fleet/records.ts";
import { writeBeat, writeHost } from "../../worker/fleet/store.ts";
import { makeBeat } from "../support/beats.ts";

export interface SeedHost {
  id: string;
  /** Unix ms of the last accepted beat. */
  lastSeen: number;
  policy?: Partial<Policy>;
}

/** Local KV handles a bounded number of writes in flight well; more only queues. */
const CONCURRENCY = 100;

export async function seedFleet(kv: KVNamespace, hosts: readonly SeedHost[]): Promise<void> {
  let next = 0;
  async function worker(): Promise<void> {
    while (next < hosts.length) {
      const h = hosts[next++] as SeedHost;
      const config: HostConfig = {
        id: h.id,
        policy: { ...DEFAULT_POLICY, ...h.policy },
        epoch: `epoch-${h.id}`,
        createdAt: new Date(h.lastSeen - 86_400_000).toISOString(),
        updatedAt: new Date(h.lastSeen - 86_400_000).toISOString(),
      };
      const record: BeatRecord = {
        epoch: config.epoch,
        beat: makeBeat({ host: h.id, ts: h.lastSeen, seats: 3 }),
        lastSeen: h.lastSeen,
        clockOffsetMs: 0,
        state: "up",
        reason: null,
        since: h.lastSeen - 3_600_000,
        history: [[h.lastSeen, 3]],
      };
      await writeHost(kv, config);
      await writeBeat(kv, h.id, record);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

export interface KvCounts {
  list: Record<string, number>;
  get: number;
  getWithMetadata: number;
  put: number;
  delete: number;
}

/** The real KV namespace behind a Proxy that counts every operation, per prefix for `list`. */
export function countingKv(kv: KVNamespace): { kv: KVNamespace; counts: KvCounts } {
  const counts: KvCounts = { list: {}, get: 0, getWithMetadata: 0, put: 0, delete: 0 };
  const proxy = new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (prop === "list") {
          const prefix = (args[0] as KVNamespaceListOptions | undefined)?.prefix ?? "";
          counts.list[prefix] = (counts.list[prefix] ?? 0) + 1;
        } else if (prop === "get" || prop === "getWithMetadata" || prop === "put" || prop === "delete") {
          counts[prop]++;
        }
        return value.apply(target, args);
      };
    },
  });
  return { kv: proxy, counts };
}
