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
});
