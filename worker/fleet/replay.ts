/**
 * Replays (DESIGN §2, §5) are a question of the beacon's own sequence, not of clocks: a beat is a
 * replay when its signed `(instance, seq)` is not newer than the last accepted from that instance.
 * A new instance is a beacon restart (seq starts again), so the instances seen recently are kept
 * with their last seq: an earlier instance's beat cannot be replayed after a restart. Judging by
 * `ts` instead let one beat dated minutes ahead (an NTP step, a VM resume) refuse every correct
 * beat after it until the clock caught up, long enough for the host to go silent.
 */
import { TIMESTAMP_TOLERANCE_SECONDS } from "../../protocol/limits.ts";
import type { BeatRecord, SeenInstance } from "./records.ts";

/**
 * An instance is forgotten once every beat it signed is outside the ±300 s window (a replay of it
 * would be `stale_timestamp` anyway), with a minute's margin for clocks between Worker isolates.
 */
const FORGET_AFTER_MS = TIMESTAMP_TOLERANCE_SECONDS * 1000 + 60_000;
/**
 * Instances remembered per host at most. A beacon crash-looping under systemd (RestartSec=10)
 * starts about 30 in one window, so 32 keep all of them; the bound keeps the beat record small.
 */
export const MAX_SEEN_INSTANCES = 32;

/** What the record remembers; a record written before this was kept knows only its last beat. */
export function seenInstances(record: BeatRecord | null): SeenInstance[] {
  if (record === null) return [];
  return record.seen ?? [{ instance: record.beat.instance, seq: record.beat.seq, ts: record.beat.ts }];
}

/** The last accepted seq of `instance` when `seq` is not newer than it (a replay), else null. */
export function replayedAfter(seen: readonly SeenInstance[], instance: string, seq: number): number | null {
  const known = seen.find((s) => s.instance === instance);
  return known && seq <= known.seq ? known.seq : null;
}

/** The instances to remember once a beat is accepted at `now`: most recently accepted last. */
export function rememberBeat(
  seen: readonly SeenInstance[],
  beat: { instance: string; seq: number; ts: number },
  now: number,
): SeenInstance[] {
  const known = seen.find((s) => s.instance === beat.instance);
  const entry = { instance: beat.instance, seq: beat.seq, ts: Math.max(beat.ts, known?.ts ?? beat.ts) };
  return [...seen.filter((s) => s.instance !== beat.instance && now - s.ts <= FORGET_AFTER_MS), entry].slice(
    -MAX_SEEN_INSTANCES,
  );
}

/** Two views of the instances seen (KV's record and this isolate's memory): the newest of each. */
export function mergeSeen(a: readonly SeenInstance[], b: readonly SeenInstance[]): SeenInstance[] {
  const merged = new Map<string, SeenInstance>();
  for (const s of [...a, ...b]) {
    const known = merged.get(s.instance);
    merged.set(
      s.instance,
      known ? { instance: s.instance, seq: Math.max(known.seq, s.seq), ts: Math.max(known.ts, s.ts) } : s,
    );
  }
  return [...merged.values()];
}
