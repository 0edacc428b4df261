/** One ledger Observation for tests: host h-1 of epoch e-1, seen at `at`, in `state` since then, no hold or reminder. */
import type { State } from "../../protocol/verdict.ts";
import type { Observation } from "../../worker/ledger/observation.ts";

export function makeObservation(state: State, at: number, fields: Partial<Observation> = {}): Observation {
  return {
    host: "h-1",
    epoch: "e-1",
    state,
    reason: null,
    seats: 2,
    minSeats: 1,
    lastSeen: at,
    since: at,
    at,
    labels: [],
    alertAfter: 0,
    repeatEvery: 0,
    attention: [],
    ...fields,
  };
}
