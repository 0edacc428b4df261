import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../protocol/policy.ts";
import { observation } from "../../worker/ledger/observation.ts";

const T0 = Date.parse("2027-03-01T00:00:00Z");
const host = {
  epoch: "e-1",
  createdAt: new Date(T0 - 86_400_000).toISOString(),
  policy: { ...DEFAULT_POLICY, graceSeconds: 60 },
};
const beat = { seats: 2, lastSeen: T0, state: "up" as const, since: T0 - 3_600_000 };

describe("an observation", () => {
  it("keeps the beat's since when the verdict agrees with the state the beat stored", () => {
    const o = observation("h-1", host, beat, { state: "up", reason: null }, T0 + 10_000);

    expect(o).toMatchObject({ host: "h-1", state: "up", since: beat.since, at: T0 + 10_000, lastSeen: T0 });
  });

  it("dates silence at the end of the grace, whenever the cron notices it", () => {
    const o = observation("h-1", host, beat, { state: "silent", reason: "no_beat" }, T0 + 5 * 60_000);

    expect(o.since).toBe(T0 + 60_000);
  });

  it("dates a state nothing in KV dates (a pause, a raised minSeats) when it was judged", () => {
    const o = observation("h-1", host, beat, { state: "low", reason: "below_min_seats" }, T0 + 30_000);

    expect(o.since).toBe(T0 + 30_000);
  });

  it("dates a wait from the moment it passed maxWaitSeconds, and a quiet seat from the end of maxQuietSeconds", () => {
    const limits = { ...host, policy: { ...host.policy, maxWaitSeconds: 900, maxQuietSeconds: 600 } };
    const activity = { working: 0, waiting: 1, quiet: 1, waitingSince: T0 - 1_000_000, quietSince: T0 - 700_000 };
    const stuck = { ...beat, activity };

    const waiting = observation("h-1", limits, stuck, { state: "waiting", reason: "seat_waiting" }, T0 + 60_000);
    const quiet = observation("h-1", limits, stuck, { state: "stalled", reason: "seat_quiet" }, T0 + 60_000);

    expect(waiting.since).toBe(T0 - 1_000_000 + 900_000);
    expect(quiet.since).toBe(T0 - 700_000 + 600_000);
  });

  it("dates too few working seats when it was judged, and carries the seats an alert names", () => {
    const attention = [{ target: "main:2", state: "quiet" as const, since: T0 - 5_000, why: "finished its turn" }];
    const o = observation(
      "h-1",
      { ...host, policy: { ...host.policy, minWorking: 2 } },
      { ...beat, attention },
      { state: "stalled", reason: "too_few_working" },
      T0 + 30_000,
    );

    expect(o).toMatchObject({ since: T0 + 30_000, attention });
  });
});
