/**
 * The fleet as every read face sees it: host config and last-beat metadata joined and judged by
 * `verdict` at one `now`. Built from two KV list walks (no per-host reads), so a status page for
 * 1,000 hosts costs two list calls.
 */
import type { Policy } from "../../protocol/policy.ts";
import { type ActivityRecord, STATES, type State, verdict } from "../../protocol/verdict.ts";
import type { AttentionSeat } from "./activity.ts";
import { stateSince } from "./since.ts";
import { BEAT_PREFIX, type BeatMeta, type HostMeta, listHosts, listWithMeta } from "./store.ts";

export interface HostView {
  id: string;
  state: State;
  reason: string | null;
  seats: number | null;
  idle: number | null;
  minSeats: number;
  /** Unix ms of the last accepted beat's arrival; null before the first. */
  lastSeen: number | null;
  /** Unix ms when the current state began, when known. */
  since: number | null;
  labels: string[];
  policy: Policy;
  clockOffsetMs: number | null;
  /** The reason the last beat gave for not observing, while it says so (even if it is old now). */
  beaconError: string | null;
  /** Seats at work from the last beat, times on the Worker's clock; null before one, or from an older beacon. */
  activity: ActivityRecord | null;
  /** Whether the last beat saw any mark (hooks installed); null when it did not say. */
  marks: boolean | null;
  /** The seats that need a person, waiting first (activity.ts). */
  attention: AttentionSeat[];
}

export function hostView(id: string, host: HostMeta, beat: BeatMeta | null, now: number): HostView {
  const record = beat && beat.epoch === host.epoch ? beat : null;
  const judged = verdict(record, host.policy, now);
  const { state, reason } = judged;
  return {
    id,
    state,
    reason,
    seats: record?.seats ?? null,
    idle: record?.idle ?? null,
    minSeats: host.policy.minSeats,
    lastSeen: record?.lastSeen ?? null,
    since: stateSince(judged, host, record),
    labels: host.policy.labels,
    policy: host.policy,
    clockOffsetMs: record?.offset ?? null,
    beaconError: record?.observed === "error" ? (record.reason ?? "unknown") : null,
    activity: record?.activity ?? null,
    marks: record?.marks ?? null,
    attention: record?.attention ?? [],
  };
}

/** A host's config and, once it has beaten, its last beat (never one of a deleted incarnation). */
export interface FleetEntry {
  id: string;
  host: HostMeta;
  beat: BeatMeta | null;
}

/** Every host, in host id order (KV lists keys lexicographically): the read faces and the cron share it. */
export async function listFleet(kv: KVNamespace): Promise<FleetEntry[]> {
  const [hosts, beats] = await Promise.all([listHosts(kv), listWithMeta<BeatMeta>(kv, BEAT_PREFIX)]);
  const beatById = new Map(beats.map((b) => [b.id, b.meta]));
  return hosts.map(({ id, meta: host }) => {
    const beat = beatById.get(id);
    return { id, host, beat: beat && beat.epoch === host.epoch ? beat : null };
  });
}

/** A listing judged at `now`: any `now`, so a listing kept for seconds (fleet-cache.ts) judges on time. */
export function judgeFleet(entries: readonly FleetEntry[], now: number): HostView[] {
  return entries.map((e) => hostView(e.id, e.host, e.beat, now));
}

export async function loadFleet(kv: KVNamespace, now: number): Promise<HostView[]> {
  return judgeFleet(await listFleet(kv), now);
}

export type StateCounts = Record<State, number>;

export function countStates(hosts: readonly HostView[]): StateCounts {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as StateCounts;
  for (const host of hosts) counts[host.state]++;
  return counts;
}
