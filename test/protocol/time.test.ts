import { describe, expect, it } from "vitest";
import { ago, isoOrNull, parseIso, parseIsoDateTime, shortDuration, utcText } from "../../protocol/time.ts";

const T = Date.parse("2026-11-25T13:00:00Z");

describe("time at the edges", () => {
  it.each([
    [0, "0s"],
    [59_999, "59s"],
    [60_000, "1m"],
    [14 * 60_000 + 59_000, "14m"],
    [3 * 3_600_000, "3h"],
    [2 * 86_400_000 + 1, "2d"],
    [-5_000, "0s"],
  ])("shows a span of %i ms as %s", (ms, text) => {
    expect(shortDuration(ms)).toBe(text);
  });

  it("says how long ago, or never", () => {
    expect(ago(T - 120_000, T)).toBe("2m ago");
    expect(ago(null, T)).toBe("never");
  });

  it("parses ISO 8601 with any offset into unix ms and refuses anything else", () => {
    expect(parseIso("2026-11-25T15:00:00+02:00")).toBe(T);
    expect(parseIso("tomorrow")).toBeNull();
    expect(parseIso(T)).toBeNull();
  });

  it("takes only a real date-time with its zone where a time decides something (pausedUntil)", () => {
    expect(parseIsoDateTime("2026-11-25T15:00:00+02:00")).toBe(T);
    expect(parseIsoDateTime("2028-02-29T13:00:00Z")).toBe(Date.UTC(2028, 1, 29, 13));
    expect(parseIsoDateTime("2027-12-31T23:59:59.999-14:00")).toBe(Date.UTC(2028, 0, 1, 13, 59, 59, 999));
    for (const text of [
      "0",
      "2026-11-25",
      "2026-11-25T15:00:00",
      "2027-02-29T00:00:00Z",
      "2027-04-31T00:00:00Z",
      "2027-13-01T00:00:00Z",
      "2027-00-10T00:00:00Z",
      "2027-01-01T24:00:00Z",
      "2027-01-01T23:60:00Z",
      "2027-01-01T23:59:60Z",
      "2027-01-01T00:00:00+14:01",
      "2027-01-01T00:00:00+02:60",
      "1969-12-31T23:59:59Z",
      "+02026-11-25T15:00:00Z",
    ]) {
      expect(parseIsoDateTime(text), text).toBeNull();
    }
  });

  it("formats unix ms as ISO 8601 and as a UTC label for people", () => {
    expect(isoOrNull(T)).toBe("2026-11-25T13:00:00.000Z");
    expect(isoOrNull(null)).toBeNull();
    expect(utcText(T)).toBe("2026-11-25 13:00:00 UTC");
  });
});
