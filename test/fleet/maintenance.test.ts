import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../protocol/policy.ts";
import { verdict } from "../../protocol/verdict.ts";
import { maintenanceFor, parseDays, scheduleProblems, windowAt } from "../../worker/fleet/maintenance.ts";

const t = (iso: string) => Date.parse(iso);

describe("maintenance window days", () => {
  it("reads ranges, lists and ranges that wrap past Sunday", () => {
    expect([...(parseDays("mon-fri") ?? [])].sort()).toEqual([1, 2, 3, 4, 5]);
    expect([...(parseDays("sat,sun") ?? [])].sort()).toEqual([0, 6]);
    expect([...(parseDays("fri-mon") ?? [])].sort()).toEqual([0, 1, 5, 6]);
    expect(parseDays("mon-sun")?.size).toBe(7);
  });

  it("refuses a day it does not know", () => {
    expect(parseDays("funday")).toBeNull();
    expect(parseDays("mon-fri-sat")).toBeNull();
  });
});

describe("maintenance window schedule fields", () => {
  it("names the field of an unknown zone and of a time that is not HH:MM", () => {
    const errors = scheduleProblems({ days: "mon", from: "25:00", to: "06:00", tz: "Mars/Olympus" });
    expect(errors.map((e) => e.field)).toEqual(["from", "tz"]);
    expect(errors[1]?.message).toContain("IANA time zone");
  });

  it("accepts a valid window", () => {
    expect(scheduleProblems({ days: "mon-fri", from: "22:00", to: "06:00", tz: "Europe/Berlin" })).toEqual([]);
  });
});

describe("a window that crosses midnight (mon-fri 22:00–06:00, Europe/Berlin)", () => {
  const nightly = { days: "mon-fri", from: "22:00", to: "06:00", tz: "Europe/Berlin" };

  it("is inside on a weeknight and ends at 06:00 local the next morning", () => {
    // Tuesday 2027-01-12 23:00 CET
    expect(windowAt(nightly, t("2027-01-12T22:00:00Z"))).toEqual({
      inside: true,
      endsAt: t("2027-01-13T05:00:00Z"),
      lastEnd: t("2027-01-12T05:00:00Z"),
      nextStart: null,
    });
  });

  it("runs on into Saturday morning from Friday night, and not on Saturday night", () => {
    expect(windowAt(nightly, t("2027-01-16T02:00:00Z")).inside).toBe(true);
    expect(windowAt(nightly, t("2027-01-16T22:30:00Z")).inside).toBe(false);
  });

  it("is outside in the afternoon and remembers when it last ended", () => {
    expect(windowAt(nightly, t("2027-01-13T14:00:00Z"))).toEqual({
      inside: false,
      endsAt: null,
      lastEnd: t("2027-01-13T05:00:00Z"),
      nextStart: t("2027-01-13T21:00:00Z"),
    });
  });
});

describe("windows across DST changes", () => {
  it("still opens a 02:30 window on Berlin's spring-forward night, at 03:30 CEST (the skipped time moves forward)", () => {
    const w = { days: "sun", from: "02:30", to: "04:00", tz: "Europe/Berlin" };
    // 2027-03-28: 02:00 CET becomes 03:00 CEST at 01:00Z.
    expect(windowAt(w, t("2027-03-28T01:20:00Z")).inside).toBe(false);
    expect(windowAt(w, t("2027-03-28T01:45:00Z"))).toMatchObject({ inside: true, endsAt: t("2027-03-28T02:00:00Z") });
  });

  it("opens at the first 02:30 on Berlin's fall-back night and closes at 03:00 CET", () => {
    const w = { days: "sun", from: "02:30", to: "03:00", tz: "Europe/Berlin" };
    // 2027-10-31: 03:00 CEST becomes 02:00 CET at 01:00Z, so 02:30 happens at 00:30Z and 01:30Z.
    expect(windowAt(w, t("2027-10-31T00:40:00Z"))).toMatchObject({ inside: true, endsAt: t("2027-10-31T02:00:00Z") });
    expect(windowAt(w, t("2027-10-31T01:45:00Z")).inside).toBe(true);
    expect(windowAt(w, t("2027-10-31T02:00:00Z")).inside).toBe(false);
  });

  it("ends a New York 01:00–03:00 window at 03:00 EDT on the spring-forward night (one hour long)", () => {
    const w = { days: "mon-sun", from: "01:00", to: "03:00", tz: "America/New_York" };
    // 2027-03-14: 02:00 EST becomes 03:00 EDT at 07:00Z.
    expect(windowAt(w, t("2027-03-14T06:00:00Z"))).toMatchObject({ inside: true, endsAt: t("2027-03-14T07:00:00Z") });
    expect(windowAt(w, t("2027-03-14T07:00:00Z"))).toMatchObject({ inside: false, lastEnd: t("2027-03-14T07:00:00Z") });
  });

  it("keeps a New York 01:30–02:00 window from the first 01:30 to 02:00 EST on the fall-back night", () => {
    const w = { days: "mon-sun", from: "01:30", to: "02:00", tz: "America/New_York" };
    // 2027-11-07: 02:00 EDT becomes 01:00 EST at 06:00Z; 01:30 happens at 05:30Z and 06:30Z.
    expect(windowAt(w, t("2027-11-07T05:40:00Z"))).toMatchObject({ inside: true, endsAt: t("2027-11-07T07:00:00Z") });
    expect(windowAt(w, t("2027-11-07T06:45:00Z")).inside).toBe(true);
    expect(windowAt(w, t("2027-11-07T07:00:00Z")).inside).toBe(false);
  });
});

describe("a window's bearing on a host", () => {
  const policy = { ...DEFAULT_POLICY, graceSeconds: 300 };
  const nightly = {
    name: "nightly",
    hosts: [],
    labels: ["gpu"],
    note: null,
    days: "mon-sun",
    from: "22:00",
    to: "06:00",
    tz: "Europe/Berlin",
  };
  // 2027-01-13 06:00 CET
  const end = t("2027-01-13T05:00:00Z");

  it("pauses hosts by label with the window's name, and no other host", () => {
    const at = t("2027-01-13T02:00:00Z");
    const beat = { seats: 2, observed: "ok" as const, lastSeen: at - 10_000 };

    expect(verdict(beat, policy, at, maintenanceFor([nightly], "g1", ["gpu"], at))).toEqual({
      state: "paused",
      reason: "maintenance:nightly",
    });
    expect(maintenanceFor([nightly], "c1", ["cpu"], at)).toBeNull();
    expect(maintenanceFor([{ ...nightly, labels: [], hosts: ["c1"] }], "c1", ["cpu"], at)?.inside).toBe(true);
  });

  it("counts grace from the window's end for a host that went quiet inside it, so it is silent only after", () => {
    const beat = { seats: 2, observed: "ok" as const, lastSeen: end - 3 * 3600_000 };
    const judge = (at: number) => verdict(beat, policy, at, maintenanceFor([nightly], "g1", ["gpu"], at));

    expect(judge(end + 299_000)).toEqual({ state: "paused", reason: "maintenance:nightly" });
    expect(judge(end + 301_000)).toEqual({ state: "silent", reason: "no_beat" });
    // Without the window the same beat would have been silent for hours.
    expect(verdict(beat, policy, end + 1_000).state).toBe("silent");
  });

  it("judges a host that beat after the window's end by that beat alone", () => {
    const beat = { seats: 2, observed: "ok" as const, lastSeen: end + 30_000 };

    expect(verdict(beat, policy, end + 60_000, maintenanceFor([nightly], "g1", ["gpu"], end + 60_000)).state).toBe(
      "up",
    );
  });
});
