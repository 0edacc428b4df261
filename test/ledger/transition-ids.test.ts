import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { State } from "../../protocol/verdict.ts";
import { applyObservation, type HostRecord } from "../../worker/ledger/announce.ts";
import type { Observation } from "../../worker/ledger/observation.ts";
import { makeObservation } from "../support/observations.ts";

const T0 = Date.parse("2027-03-01T00:00:00Z");
const STATES: State[] = ["up", "silent", "low", "blind", "error", "paused"];

function obs(state: State, since: number, at: number): Observation {
  return makeObservation(state, at, { since });
}

describe("transition ids", () => {
  it("never repeat for one host, whatever `since` the reporters name (even one before the state they follow)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ state: fc.constantFrom(...STATES), since: fc.nat(4), step: fc.nat(3) }), {
          maxLength: 40,
        }),
        (steps) => {
          let stored: HostRecord | null = null;
          let at = T0;
          const ids: string[] = [];
          // Few distinct times, so reporters often name a since the host has already had.
          for (const { state, since, step } of steps) {
            at += step * 1000;
            const decision = applyObservation(stored, obs(state, Math.min(at, T0 + since * 1000), at));
            if (decision === null) continue;
            if (decision.transition) ids.push(decision.transition.id);
            stored = decision.host;
          }
          expect(new Set(ids).size).toBe(ids.length);
        },
      ),
    );
  });

  it("keep a reported since that follows the state before it", () => {
    const first = applyObservation(null, obs("up", T0, T0));
    const silent = applyObservation(first?.host ?? null, obs("silent", T0 + 30_000, T0 + 31_000));
    expect(silent?.transition?.id).toBe(`h-1.silent.${T0 + 30_000}`);
  });
});
