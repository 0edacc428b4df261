/**
 * The one answer to "is this host healthy?" (DESIGN §2). Pure: no I/O, `now` injected.
 * The beat path, the cron, the status API, badges, metrics and the dashboard all ask it.
 */
import type { Observed } from "./beat.ts";
import { isPaused, type Policy } from "./policy.ts";

export const STATES = ["up", "low", "blind", "error", "silent", "new", "paused"] as const;
export type State = (typeof STATES)[number];

export type Severity = "ok" | "degraded" | "down" | "pending" | "muted";

export const SEVERITY: Readonly<Record<State, Severity>> = {
  up: "ok",
  low: "degraded",
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

/** What the verdict needs from the stored last beat. */
export interface ObservationRecord {
  seats: number;
  observed: Observed;
  reason?: string | null;
  /** The Worker's arrival time of the newest accepted beat, unix ms. */
  lastSeen: number;
}

export interface Verdict {
  state: State;
  /** A snake_case code; the beacon's own reason for `error`. */
  reason: string | null;
}

export function verdict(
  record: ObservationRecord | null,
  policy: Pick<Policy, "minSeats" | "graceSeconds" | "paused" | "pausedUntil">,
  now: number,
): Verdict {
  if (isPaused(policy, now)) return { state: "paused", reason: null };
  if (record === null) return { state: "new", reason: null };
  if (now - record.lastSeen > policy.graceSeconds * 1000) return { state: "silent", reason: "no_beat" };
  if (record.observed === "error") return { state: "error", reason: record.reason ?? "unknown" };
  if (record.seats === 0 && policy.minSeats >= 1) return { state: "blind", reason: "zero_seats" };
  if (record.seats < policy.minSeats) return { state: "low", reason: "below_min_seats" };
  return { state: "up", reason: null };
}
