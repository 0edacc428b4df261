/**
 * What the ledger is handed (DESIGN §6): a verdict on one host, with what an alert needs to say
 * about it. The beat path and the cron build it here alike; only the time of judging differs (a
 * beat's arrival, a cron run's scheduledTime). Pure, so the ledger's core is tested in Node.
 */
import type { Policy } from "../../protocol/policy.ts";
import type { ActivityRecord, State, Verdict } from "../../protocol/verdict.ts";
import type { AttentionSeat } from "../fleet/activity.ts";
import { stateSince } from "../fleet/since.ts";

/** Times are unix ms. */
export interface Observation {
  host: string;
  epoch: string;
  state: State;
  reason: string | null;
  seats: number | null;
  minSeats: number;
  /** Arrival of the beat this verdict rests on; orders observations (a stale view never wins). */
  lastSeen: number | null;
  since: number;
  /** When the verdict was computed (the beat's arrival, or the cron's scheduledTime). */
  at: number;
  labels: string[];
  alertAfter: number;
  repeatEvery: number;
  /** The seats an alert names (waiting first); empty when none needs a person. */
  attention: AttentionSeat[];
}

/**
 * `judged` is the host's verdict at `at`; a state nothing in KV dates (a pause, a policy change)
 * began when it was judged.
 */
export function observation(
  id: string,
  host: { epoch: string; createdAt: string; policy: Policy },
  beat: {
    seats: number;
    lastSeen: number;
    state: State;
    since: number;
    activity?: ActivityRecord | null;
    attention?: AttentionSeat[];
  },
  judged: Verdict,
  at: number,
): Observation {
  return {
    host: id,
    epoch: host.epoch,
    state: judged.state,
    reason: judged.reason,
    seats: beat.seats,
    minSeats: host.policy.minSeats,
    lastSeen: beat.lastSeen,
    since: stateSince(judged, host, beat) ?? at,
    at,
    labels: host.policy.labels,
    alertAfter: host.policy.alertAfter,
    repeatEvery: host.policy.repeatEvery,
    attention: beat.attention ?? [],
  };
}
