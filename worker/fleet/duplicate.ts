/**
 * `duplicate_beacon` (DESIGN §4): every beacon start picks a random `instance` id, so one host's
 * beats come from one instance, then — after a restart — from another, never back. Beats that
 * switch *back* to an instance already seen mean two beacons are pushing as one host id: a cloned
 * machine image, or the same key and SEATWATCH_HOST copied to a second box. Each hides the other's
 * failures, because either one's beat keeps the host fresh.
 */
import { iso } from "../../protocol/time.ts";
import type { BeatRecord } from "./records.ts";

/** Instance runs remembered per host: enough to see A, B, A; two restarts in between still show it. */
export const RECENT_INSTANCES = 4;
/**
 * The warning stays this long after the last switch back. Two live clones alternate every few
 * minutes at the default keep-alive, so this holds steadily while they run and clears within an
 * hour once one is gone.
 */
export const DUPLICATE_WARNING_MS = 3_600_000;

export interface InstanceTrack {
  /** Instance ids, one per run of consecutive beats, oldest first. */
  instances: string[];
  /** Arrival (unix ms) of the last beat that switched back to an instance seen before. */
  duplicateAt: number | null;
}

export function trackInstance(last: BeatRecord | null, instance: string, now: number): InstanceTrack {
  const runs = last ? (last.instances ?? [last.beat.instance]) : [];
  const previous = last?.duplicateAt ?? null;
  if (runs[runs.length - 1] === instance) return { instances: runs, duplicateAt: previous };
  return {
    instances: [...runs, instance].slice(-RECENT_INSTANCES),
    duplicateAt: runs.includes(instance) ? now : previous,
  };
}

export interface DuplicateBeacon {
  instances: string[];
  lastSwitchAt: string;
  message: string;
}

/** Whether a switch back at `duplicateAt` still raises the warning at `now`. */
export function duplicateActive(duplicateAt: number | null, now: number): duplicateAt is number {
  return duplicateAt !== null && now - duplicateAt <= DUPLICATE_WARNING_MS;
}

export function duplicateBeacon(record: BeatRecord | null, hostId: string, now: number): DuplicateBeacon | null {
  const at = record?.duplicateAt ?? null;
  if (record === null || !duplicateActive(at, now)) return null;
  const instances = [...new Set(record.instances ?? [])];
  return {
    instances,
    lastSwitchAt: iso(at),
    message: `beats for ${hostId} alternate between beacon instances ${instances.join(", ")}: two machines push as one host (a cloned image?). Give the copy its own identity: SEATWATCH_HOST=<new id>, a new key (seatwatch-beacon keygen) and its own enrollment`,
  };
}
