/**
 * Seats at work as the Worker keeps them (DESIGN §3a "Judging"): a beat's activity with the
 * beacon's times moved onto the Worker's clock by the beat's clock offset (arrival − ts), so the
 * cron can judge a wait at any `now` with no new beat; and the few seats an operator should attach
 * to, small enough to ride in KV list metadata to every alert the cron raises.
 */
import type { SeatEntry } from "../../protocol/activity.ts";
import type { Beat } from "../../protocol/beat.ts";
import type { ActivityRecord } from "../../protocol/verdict.ts";

/** Seats an alert names: enough to say where to attach, few enough for KV metadata (≤ 1,024 bytes). */
export const MAX_ATTENTION = 5;
/**
 * Session names and a mark's `why` in an alert are cut to this many characters: the target still
 * finds the pane in all but contrived cases, and even at JSON's worst (six bytes a character) a
 * seat still fits beside everything else the metadata carries.
 */
const MAX_ATTENTION_TEXT = 32;

function cut(text: string): string {
  return Array.from(text).slice(0, MAX_ATTENTION_TEXT).join("");
}

/** A seat that needs a person: `tmux attach -t <target>`. `since` is unix ms on the Worker's clock. */
export interface AttentionSeat {
  target: string;
  state: "waiting" | "quiet";
  since: number;
  why: string;
}

function onWorkerClock(ms: number | null, clockOffsetMs: number): number | null {
  return ms === null ? null : ms + clockOffsetMs;
}

export function activityRecord(beat: Beat, clockOffsetMs: number): ActivityRecord | null {
  const a = beat.activity;
  if (a === undefined) return null;
  return {
    working: a.working,
    waiting: a.waiting,
    quiet: a.quiet,
    waitingSince: onWorkerClock(a.waitingSince, clockOffsetMs),
    quietSince: onWorkerClock(a.quietSince, clockOffsetMs),
  };
}

/** The mark's own words (cut), else what the evidence says: a waiting seat's is a mark or the pattern. */
function why(seat: SeatEntry): string {
  if (seat.why) return cut(seat.why);
  if (seat.state === "waiting") return seat.via === "pattern" ? "matched --waiting-pattern" : "marked waiting";
  return seat.via === "hook" ? "finished its turn" : "no CPU or output";
}

/** `session:window`, the tmux target an operator attaches to. */
export function seatTarget(session: string, window: number): string {
  return `${session}:${window}`;
}

/** Waiting seats, then quiet ones, longest first: who has waited for a person longest leads. */
export function attentionSeats(beat: Beat, clockOffsetMs: number): AttentionSeat[] {
  const rank = { waiting: 0, quiet: 1 } as const;
  return (beat.seatList ?? [])
    .filter((s): s is SeatEntry & { state: "waiting" | "quiet" } => s.state !== "working")
    .sort((a, b) => rank[a.state] - rank[b.state] || a.since - b.since)
    .slice(0, MAX_ATTENTION)
    .map((s) => ({
      target: seatTarget(cut(s.session), s.window),
      state: s.state,
      since: s.since + clockOffsetMs,
      why: why(s),
    }));
}

/** An attention seat as the faces and alerts show it: how long at `now`, not since when. */
export interface SeatAtWork {
  target: string;
  state: AttentionSeat["state"];
  forSeconds: number;
  why: string;
}

/** How long something begun at `since` has lasted at `now`, in whole seconds (never negative). */
export function forSeconds(since: number, now: number): number {
  return Math.max(0, Math.floor((now - since) / 1000));
}

export function seatsAt(seats: readonly AttentionSeat[], now: number): SeatAtWork[] {
  return seats.map((s) => ({ target: s.target, state: s.state, forSeconds: forSeconds(s.since, now), why: s.why }));
}
