/**
 * When a host's current state began, as far as KV's records tell (DESIGN §2). The ledger's record
 * of the last transition wins wherever it has one (faces/monitor.ts); this is the estimate the
 * read faces fall back on and the `since` the cron dates a state it discovers with.
 */
import type { Policy } from "../../protocol/policy.ts";
import type { ActivityRecord, State, Verdict } from "../../protocol/verdict.ts";

/** Null when KV cannot tell: a pause or a policy change judged after the last beat. */
export function stateSince(
  judged: Verdict,
  host: { createdAt: string; policy: Pick<Policy, "graceSeconds" | "maxWaitSeconds" | "maxQuietSeconds"> },
  beat: { lastSeen: number; state: State; since: number; activity?: ActivityRecord | null } | null,
): number | null {
  const { state, reason } = judged;
  if (state === "new") return Date.parse(host.createdAt);
  if (beat === null) return null;
  // Silence begins where the grace ran out, whenever it is noticed.
  if (state === "silent") return beat.lastSeen + host.policy.graceSeconds * 1000;
  if (state === beat.state) return beat.since;
  // So does a wait, or a quiet seat, where its limit ran out (the beat's times are the Worker's).
  const activity = beat.activity ?? null;
  if (reason === "seat_waiting" && activity?.waitingSince != null) {
    return activity.waitingSince + host.policy.maxWaitSeconds * 1000;
  }
  if (reason === "seat_quiet" && activity?.quietSince != null) {
    return activity.quietSince + host.policy.maxQuietSeconds * 1000;
  }
  return null;
}
