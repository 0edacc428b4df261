/**
 * What seatwatch keeps per host in Workers KV (store.ts has the layout and the I/O): the shapes of
 * the stored records and of the metadata the list walks read. Free of Worker types, so Node tests
 * and tools can build and read the same records.
 */
import type { Beat, Observed } from "../../protocol/beat.ts";
import type { Policy } from "../../protocol/policy.ts";
import type { State } from "../../protocol/verdict.ts";
import type { SeenInstance } from "./replay.ts";

export interface HostConfig {
  id: string;
  policy: Policy;
  epoch: string;
  createdAt: string;
  updatedAt: string;
}

export interface HostMeta {
  epoch: string;
  createdAt: string;
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
  /** Beacon instances seen within the timestamp window with their last seq (replay.ts); absent on older records. */
  seen?: SeenInstance[];
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
  return { epoch: config.epoch, createdAt: config.createdAt, policy: config.policy };
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
