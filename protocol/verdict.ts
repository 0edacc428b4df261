/**
 * The one answer to "is this host healthy?" (DESIGN §2). Pure: no I/O, `now` injected.
 * The beat path, the cron, the status API, badges, metrics and the dashboard all ask it, and the
 * beacon asks it too, to predict the Worker's answer.
 */
import type { Observed } from "./beat.ts";
import { isPaused, needsActivity, type Policy } from "./policy.ts";

export const STATES = ["up", "low", "waiting", "stalled", "blind", "error", "silent", "new", "paused"] as const;
export type State = (typeof STATES)[number];

export type Severity = "ok" | "degraded" | "down" | "pending" | "muted";

export const SEVERITY: Readonly<Record<State, Severity>> = {
  up: "ok",
  low: "degraded",
  waiting: "degraded",
  stalled: "degraded",
  blind: "down",
  error: "down",
  silent: "down",
  new: "pending",
  paused: "muted",
};

/** States that make `/v1/check` answer 503 and that alert. */
export function isAlerting(state: State): boolean {
  return SEVERITY[state] === "down" || SEVERITY[state] === "degraded";
}

/**
 * A beat's seat activity on the judge's clock: the same clock as `lastSeen` and `now`. The Worker
 * moves the beacon's times onto its own with the beat's clock offset; the beacon, predicting,
 * judges on its own clock and passes them as they are.
 */
export interface ActivityRecord {
  working: number;
  waiting: number;
  quiet: number;
  /** The oldest waiting seat's `since`, unix ms; null when none waits. */
  waitingSince: number | null;
  /** The oldest quiet seat's `since`, unix ms; null when none is quiet. */
  quietSince: number | null;
}

/** What the verdict needs from the stored last beat. */
export interface ObservationRecord {
  seats: number;
  observed: Observed;
  reason?: string | null;
  /** The Worker's arrival time of the newest accepted beat, unix ms. */
  lastSeen: number;
  /** Absent or null: the beat came from a beacon too old to report activity. */
  activity?: ActivityRecord | null;
}

export interface Verdict {
  state: State;
  /** A snake_case code; the beacon's own reason for `error`. */
  reason: string | null;
}

export type VerdictPolicy = Pick<
  Policy,
  "minSeats" | "graceSeconds" | "paused" | "pausedUntil" | "maxWaitSeconds" | "minWorking" | "maxQuietSeconds"
>;

/** A limit of `seconds` is passed once `now` is strictly later than `since + seconds` (as grace is). */
function outlasted(since: number | null, seconds: number, now: number): boolean {
  return seconds > 0 && since !== null && now - since > seconds * 1000;
}

/** Order (first match wins): paused, new, silent, error, blind, low, waiting, stalled, up. */
export function verdict(record: ObservationRecord | null, policy: VerdictPolicy, now: number): Verdict {
  if (isPaused(policy, now)) return { state: "paused", reason: null };
  if (record === null) return { state: "new", reason: null };
  if (now - record.lastSeen > policy.graceSeconds * 1000) return { state: "silent", reason: "no_beat" };
  if (record.observed === "error") return { state: "error", reason: record.reason ?? "unknown" };
  const activity = record.activity ?? null;
  if (activity === null && needsActivity(policy)) return { state: "error", reason: "activity_unknown" };
  if (record.seats === 0 && policy.minSeats >= 1) return { state: "blind", reason: "zero_seats" };
  if (record.seats < policy.minSeats) return { state: "low", reason: "below_min_seats" };
  if (activity !== null) {
    if (outlasted(activity.waitingSince, policy.maxWaitSeconds, now))
      return { state: "waiting", reason: "seat_waiting" };
    if (activity.working < policy.minWorking) return { state: "stalled", reason: "too_few_working" };
    if (outlasted(activity.quietSince, policy.maxQuietSeconds, now)) return { state: "stalled", reason: "seat_quiet" };
  }
  return { state: "up", reason: null };
}
