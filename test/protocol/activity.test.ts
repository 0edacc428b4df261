import { describe, expect, it } from "vitest";
import { MAX_SEAT_LIST } from "../../protocol/activity.ts";
import { validateBeat } from "../../protocol/beat.ts";
import { makeActivityBeat, makeBeat, makeSeat } from "../support/beats.ts";

const T = Date.parse("2026-12-01T09:00:00Z");

const twoSeats = () => [
  makeSeat({
    pane: "%3",
    session: "main",
    window: 2,
    state: "waiting",
    since: T - 120_000,
    via: "hook",
    why: "permission",
  }),
  makeSeat({ pane: "%4", session: "main", window: 3, state: "working", since: T - 5_000, via: "cpu" }),
];

/** The fields a rejection of `beat` names. */
function rejected(beat: object): string[] {
  const result = validateBeat(JSON.parse(JSON.stringify(beat)));
  expect(result.ok, JSON.stringify(result)).toBe(false);
  return result.ok ? [] : result.errors.map((e) => e.field);
}

describe("a beat's activity and seat list", () => {
  it("are accepted as the beacon sends them and returned unchanged", () => {
    const beat = makeActivityBeat(twoSeats(), { ts: T });
    expect(validateBeat(JSON.parse(JSON.stringify(beat)))).toEqual({ ok: true, value: beat });
  });

  it("are optional: a beat from an older beacon carries neither and stays valid", () => {
    const result = validateBeat(makeBeat());
    expect(result.ok).toBe(true);
    if (result.ok) expect([result.value.activity, result.value.seatList]).toEqual([undefined, undefined]);
  });

  it("refuse counts that do not add up to seats", () => {
    const beat = makeActivityBeat(twoSeats());
    expect(rejected({ ...beat, seats: 3 })).toEqual(["activity"]);
  });

  it("refuse a waiting count without the oldest wait's time, and a time without a count", () => {
    const beat = makeActivityBeat(twoSeats());
    expect(rejected({ ...beat, activity: { ...beat.activity, waitingSince: null } })).toEqual([
      "activity.waitingSince",
    ]);
    const none = makeActivityBeat([makeSeat()]);
    expect(rejected({ ...none, activity: { ...none.activity, quietSince: T } })).toEqual(["activity.quietSince"]);
  });

  it("refuse times that are not unix milliseconds", () => {
    const beat = makeActivityBeat(twoSeats());
    for (const bad of ["2026-12-01T09:00:00Z", 1.5, 0, -1]) {
      expect(rejected({ ...beat, activity: { ...beat.activity, waitingSince: bad } })).toEqual([
        "activity.waitingSince",
      ]);
    }
  });

  it("refuse an activity that is not an object, or marks that is not a boolean", () => {
    expect(rejected({ ...makeBeat(), activity: [1, 0, 0] })).toEqual(["activity"]);
    const beat = makeActivityBeat(twoSeats());
    expect(rejected({ ...beat, activity: { ...beat.activity, marks: "yes" } })).toEqual(["activity.marks"]);
  });

  it(`refuse a seat list longer than ${MAX_SEAT_LIST} entries`, () => {
    const seats = Array.from({ length: 33 }, (_, i) => makeSeat({ pane: `%${i}` }));
    expect(rejected(makeActivityBeat(seats))).toEqual(["seatList"]);
    const fits = Array.from({ length: 32 }, (_, i) => makeSeat({ pane: `%${i}` }));
    expect(validateBeat(makeActivityBeat(fits)).ok).toBe(true);
  });

  it("refuse unknown seat states and evidence, naming the entry", () => {
    const beat = makeActivityBeat(twoSeats());
    const list = beat.seatList ?? [];
    expect(rejected({ ...beat, seatList: [list[0], { ...list[1], state: "busy" }] })).toEqual(["seatList[1].state"]);
    expect(rejected({ ...beat, seatList: [{ ...list[0], via: "telepathy" }, list[1]] })).toEqual(["seatList[0].via"]);
  });

  it("refuse malformed panes, windows and over-long text", () => {
    const beat = makeActivityBeat([makeSeat()]);
    const seat = beat.seatList?.[0];
    const one = (patch: Record<string, unknown>) => rejected({ ...beat, seatList: [{ ...seat, ...patch }] });
    expect(one({ pane: "3" })).toEqual(["seatList[0].pane"]);
    expect(one({ pane: "%3; rm -rf" })).toEqual(["seatList[0].pane"]);
    expect(one({ window: -1 })).toEqual(["seatList[0].window"]);
    expect(one({ window: "2" })).toEqual(["seatList[0].window"]);
    expect(one({ session: "s".repeat(65) })).toEqual(["seatList[0].session"]);
    expect(one({ session: "" })).toEqual(["seatList[0].session"]);
    expect(one({ command: "c".repeat(65) })).toEqual(["seatList[0].command"]);
    expect(one({ why: "w".repeat(65) })).toEqual(["seatList[0].why"]);
    expect(one({ since: null })).toEqual(["seatList[0].since"]);
  });

  it("refuse a seat list without activity, or listing more seats in a state than activity counts", () => {
    const beat = makeActivityBeat(twoSeats());
    const { activity, ...withoutActivity } = beat;
    expect(activity).toBeDefined();
    expect(rejected(withoutActivity)).toEqual(["seatList"]);
    const extra = makeSeat({ pane: "%9", state: "waiting", since: T });
    expect(rejected({ ...beat, seatList: [...(beat.seatList ?? []), extra] })).toEqual(["seatList"]);
  });

  it("accept pane ids repeated across tmux servers (each server counts its own panes)", () => {
    const seats = [makeSeat({ pane: "%0", session: "a" }), makeSeat({ pane: "%0", session: "b" })];
    expect(validateBeat(makeActivityBeat(seats)).ok).toBe(true);
  });

  it("name the field and what to fix in every message", () => {
    const beat = makeActivityBeat(twoSeats());
    const result = validateBeat({ ...beat, seats: 5 });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors[0]?.message).toBe(
        "activity.working + waiting + quiet must equal seats (5); got 1 + 1 + 0: every seat is in exactly one state",
      );
  });
});
