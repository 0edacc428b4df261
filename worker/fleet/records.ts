/**
 * What seatwatch keeps per host in Workers KV (store.ts has the layout and the I/O): the shapes of
 * the stored records and of the metadata the list walks read. Free of Worker types, so Node tests
 * and tools can build and read the same records.
 */
import type { Beat, Observed } from "../../protocol/beat.ts";
import type { Policy } from "../../protocol/policy.ts";
import type { ActivityRecord, State } from "../../protocol/verdict.ts";
import { type AttentionSeat, activityRecord, attentionSeats } from "./activity.ts";

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

/** An instance of the host's beacon seen recently, for the replay rule (replay.ts). */
export interface SeenInstance {
  instance: string;
  /** The last seq accepted from it. */
  seq: number;
  /** The newest signed `ts` accepted from it (unix ms): none of its beats is fresh past this + the window. */
  ts: number;
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
  /** Seat activity on the Worker's clock: what the cron judges waits by. Null from an older beacon; absent on records from before it. */
  activity?: ActivityRecord | null;
  /** Whether the beacon saw any mark (hooks installed and firing); null from an older beacon. */
  marks?: boolean | null;
  /** The seats an alert names (activity.ts), as many as fit the metadata limit. */
  attention?: AttentionSeat[];
}

/** Workers KV refuses list metadata over 1,024 bytes of JSON. */
export const MAX_META_BYTES = 1024;

export function hostMeta(config: HostConfig): HostMeta {
  return { epoch: config.epoch, createdAt: config.createdAt, policy: config.policy };
}

export function beatMeta(record: BeatRecord): BeatMeta {
  const attention = attentionSeats(record.beat, record.clockOffsetMs);
  const meta: BeatMeta = {
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
    activity: activityRecord(record.beat, record.clockOffsetMs),
    marks: record.beat.activity?.marks ?? null,
    attention,
  };
  // Every other field is bounded far below the limit; seat names are free text, so the list gives way.
  const encoder = new TextEncoder();
  while (attention.length > 0 && encoder.encode(JSON.stringify(meta)).length > MAX_META_BYTES) attention.pop();
  return meta;
}
