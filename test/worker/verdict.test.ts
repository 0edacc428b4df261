import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, type Policy } from "../../protocol/policy.ts";
import { type ObservationRecord, verdict } from "../../protocol/verdict.ts";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const policy = (p: Partial<Policy> = {}): Policy => ({ ...DEFAULT_POLICY, ...p });
const seen = (seats: number, ageMs = 0, extra: Partial<ObservationRecord> = {}): ObservationRecord => ({
  seats,
  observed: "ok",
  lastSeen: NOW - ageMs,
  ...extra,
});

describe("verdict", () => {
  it("is up when a fresh beat has at least minSeats seats", () => {
    expect(verdict(seen(3), policy({ minSeats: 3 }), NOW)).toEqual({ state: "up", reason: null });
  });

  it("is low when a fresh beat has some seats but fewer than minSeats", () => {
    expect(verdict(seen(2), policy({ minSeats: 3 }), NOW)).toEqual({ state: "low", reason: "below_min_seats" });
  });

  it("is blind when the beacon observed zero seats and minSeats is at least 1", () => {
    expect(verdict(seen(0), policy({ minSeats: 1 }), NOW)).toEqual({ state: "blind", reason: "zero_seats" });
  });

  it("is up with zero seats when minSeats is 0", () => {
    expect(verdict(seen(0), policy({ minSeats: 0 }), NOW).state).toBe("up");
  });

  it("is error with the beacon's own reason when it could not observe", () => {
    const record = seen(0, 0, { observed: "error", reason: "version_too_old" });
    expect(verdict(record, policy(), NOW)).toEqual({ state: "error", reason: "version_too_old" });
  });

  it("stays fresh at exactly graceSeconds and turns silent one millisecond later", () => {
    expect(verdict(seen(3, 300_000), policy({ graceSeconds: 300 }), NOW).state).toBe("up");
    expect(verdict(seen(3, 300_001), policy({ graceSeconds: 300 }), NOW)).toEqual({
      state: "silent",
      reason: "no_beat",
    });
  });

  it("prefers silent over the last beat's error or blindness", () => {
    expect(verdict(seen(0, 400_000, { observed: "error", reason: "timeout" }), policy(), NOW).state).toBe("silent");
  });

  it("is new when the host never beat", () => {
    expect(verdict(null, policy(), NOW)).toEqual({ state: "new", reason: null });
  });

  it("is paused while paused is set, whatever the last beat says", () => {
    expect(verdict(seen(0, 999_999), policy({ paused: true }), NOW).state).toBe("paused");
  });

  it("is paused while pausedUntil is in the future and resumes once it has passed", () => {
    const future = NOW + 1;
    const past = NOW - 1;
    expect(verdict(seen(3), policy({ pausedUntil: future }), NOW).state).toBe("paused");
    expect(verdict(seen(3), policy({ paused: true, pausedUntil: past }), NOW).state).toBe("up");
  });
});
