/**
 * Uptime from a host's transitions (DESIGN §5, `GET /v1/hosts/:id/events`). Pure: the transitions
 * and the window are passed in. A state lasts from its `since` to the next transition's; the last
 * lasts until `to`. Paused time and time before the first transition (or in `new`) are not
 * monitored time, so they count neither for nor against a host.
 */
import { iso } from "../../protocol/time.ts";
import type { State } from "../../protocol/verdict.ts";

export interface StateChange {
  state: State;
  /** Unix ms when the state began. */
  since: number;
}

export interface Uptime {
  from: string;
  to: string;
  /** up / (up + low + down); null when the window holds no monitored time. */
  uptime: number | null;
  upSeconds: number;
  lowSeconds: number;
  downSeconds: number;
  /** Excluded from `uptime`. */
  pausedSeconds: number;
  /** Excluded from `uptime`: before the host's first transition, or while it was `new`. */
  unknownSeconds: number;
}

type Bucket = "up" | "low" | "down" | "paused" | "unknown";

/** `low` stands for every degraded state: the host is watched and working, but not fully. */
const BUCKET: Record<State, Bucket> = {
  up: "up",
  low: "low",
  waiting: "low",
  stalled: "low",
  blind: "down",
  error: "down",
  silent: "down",
  paused: "paused",
  new: "unknown",
};

export const UPTIME_WINDOWS = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 } as const;
export const UPTIME_NOTE =
  "uptime = up / (up + low + down) over the window, low counting low, waiting and stalled; paused time, and time before the host's first beat, are excluded";

export function uptime(changes: readonly StateChange[], from: number, to: number): Uptime {
  const ms: Record<Bucket, number> = { up: 0, low: 0, down: 0, paused: 0, unknown: 0 };
  const sorted = [...changes].sort((a, b) => a.since - b.since);
  const first = sorted[0];
  ms.unknown += Math.max(0, Math.min(first?.since ?? to, to) - from);
  sorted.forEach((change, i) => {
    const start = Math.max(change.since, from);
    const end = Math.min(sorted[i + 1]?.since ?? to, to);
    if (end > start) ms[BUCKET[change.state]] += end - start;
  });
  const monitored = ms.up + ms.low + ms.down;
  const seconds = (n: number) => Math.round(n / 1000);
  return {
    from: iso(from),
    to: iso(to),
    uptime: monitored === 0 ? null : ms.up / monitored,
    upSeconds: seconds(ms.up),
    lowSeconds: seconds(ms.low),
    downSeconds: seconds(ms.down),
    pausedSeconds: seconds(ms.paused),
    unknownSeconds: seconds(ms.unknown),
  };
}

export function uptimeWindows(
  changes: readonly StateChange[],
  now: number,
): Record<keyof typeof UPTIME_WINDOWS, Uptime> {
  return {
    "24h": uptime(changes, now - UPTIME_WINDOWS["24h"], now),
    "7d": uptime(changes, now - UPTIME_WINDOWS["7d"], now),
    "30d": uptime(changes, now - UPTIME_WINDOWS["30d"], now),
  };
}
