import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, type Policy } from "../../protocol/policy.ts";
import { type ActivityRecord, type ObservationRecord, verdict } from "../../protocol/verdict.ts";

const NOW = Date.parse("2026-12-01T09:00:00Z");
const policy = (p: Partial<Policy> = {}): Policy => ({ ...DEFAULT_POLICY, ...p });

function seen(activity: Partial<ActivityRecord> | null, seats = 3): ObservationRecord {
  return {
    seats,
    observed: "ok",
    lastSeen: NOW - 10_000,
    activity:
      activity === null
        ? null
        : { working: seats, waiting: 0, quiet: 0, waitingSince: null, quietSince: null, ...activity },
  };
}

describe("verdict on seats at work", () => {
  it("is not yet waiting at exactly maxWaitSeconds, and waiting one millisecond later", () => {
    const record = seen({ working: 2, waiting: 1, waitingSince: NOW - 900_000 });
    expect(verdict(record, policy({ maxWaitSeconds: 900 }), NOW)).toEqual({ state: "up", reason: null });
    expect(verdict(record, policy({ maxWaitSeconds: 900 }), NOW + 1)).toEqual({
      state: "waiting",
      reason: "seat_waiting",
    });
  });

  it("never turns waiting with maxWaitSeconds 0 (off)", () => {
    const record = seen({ working: 2, waiting: 1, waitingSince: NOW - 86_400_000 });
    expect(verdict(record, policy({ maxWaitSeconds: 0 }), NOW).state).toBe("up");
  });

  it("is stalled when fewer than minWorking seats work, and up at exactly minWorking", () => {
    const record = seen({ working: 2, quiet: 1, quietSince: NOW - 60_000 });
    expect(verdict(record, policy({ minWorking: 3 }), NOW)).toEqual({ state: "stalled", reason: "too_few_working" });
    expect(verdict(record, policy({ minWorking: 2 }), NOW).state).toBe("up");
  });

  it("is stalled once a seat has been quiet longer than maxQuietSeconds, not at exactly it", () => {
    const record = seen({ working: 2, quiet: 1, quietSince: NOW - 600_000 });
    expect(verdict(record, policy({ maxQuietSeconds: 600 }), NOW).state).toBe("up");
    expect(verdict(record, policy({ maxQuietSeconds: 600 }), NOW + 1)).toEqual({
      state: "stalled",
      reason: "seat_quiet",
    });
  });

  it("leaves a quiet seat alone by default: a person's own session between tasks pages nobody", () => {
    const record = seen({ working: 0, quiet: 3, quietSince: NOW - 7 * 86_400_000 });
    expect(verdict(record, policy(), NOW).state).toBe("up");
  });

  it("prefers waiting over stalled, and low, blind, error and silent over both", () => {
    const stuck = { working: 0, waiting: 1, quiet: 2, waitingSince: NOW - 3_600_000, quietSince: NOW - 3_600_000 };
    const strict = policy({ minWorking: 2, maxQuietSeconds: 60 });
    expect(verdict(seen(stuck), strict, NOW).state).toBe("waiting");
    expect(verdict(seen(stuck), { ...strict, minSeats: 4 }, NOW).state).toBe("low");
    expect(verdict({ ...seen(stuck), lastSeen: NOW - 301_000 }, strict, NOW).state).toBe("silent");
    expect(verdict({ ...seen(stuck), observed: "error", reason: "timeout" }, strict, NOW).state).toBe("error");
    const none = { working: 0, waiting: 0, quiet: 0, waitingSince: null, quietSince: null };
    expect(verdict(seen(none, 0), strict, NOW).state).toBe("blind");
  });

  it("is error activity_unknown when minWorking or maxQuietSeconds needs activity an older beacon's beat lacks", () => {
    expect(verdict(seen(null), policy({ minWorking: 1 }), NOW)).toEqual({ state: "error", reason: "activity_unknown" });
    expect(verdict(seen(null), policy({ maxQuietSeconds: 600 }), NOW).reason).toBe("activity_unknown");
  });

  it("judges an older beacon's beat as before under the default policy (maxWaitSeconds alone needs no activity)", () => {
    expect(verdict(seen(null), policy(), NOW)).toEqual({ state: "up", reason: null });
    expect(verdict({ seats: 3, observed: "ok", lastSeen: NOW }, policy(), NOW).state).toBe("up");
  });

  it("stays paused over a wait, and a waiting host is not yet judged before its beat is fresh", () => {
    const record = seen({ working: 2, waiting: 1, waitingSince: NOW - 3_600_000 });
    expect(verdict(record, policy({ paused: true }), NOW).state).toBe("paused");
    expect(verdict(null, policy(), NOW).state).toBe("new");
  });
});
