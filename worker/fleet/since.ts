/**
 * When a host's current state began, as far as KV's records tell (DESIGN §2). The ledger's record
 * of the last transition wins wherever it has one (faces/monitor.ts); this is the estimate the
 * read faces fall back on and the `since` the cron dates a state it discovers with.
 */
import type { Policy } from "../../protocol/policy.ts";
import type { State } from "../../protocol/verdict.ts";

/** Null when KV cannot tell: a pause or a policy change judged after the last beat. */
export function stateSince(
  state: State,
  host: { createdAt: string; policy: Pick<Policy, "graceSeconds"> },
  beat: { lastSeen: number; state: State; since: number } | null,
): number | null {
  if (state === "new") return Date.parse(host.createdAt);
  if (beat === null) return null;
  // Silence begins where the grace ran out, whenever it is noticed.
  if (state === "silent") return beat.lastSeen + host.policy.graceSeconds * 1000;
  return state === beat.state ? beat.since : null;
}
