/** The pure activity judgement (DESIGN §3a), with time injected: every rule and boundary, no tmux. */
import { describe, expect, it } from "vitest";
import { type Evidence, isBusy, type JudgedSeat, judgeSeat, seatList, summarise } from "../../beacon/activity.ts";
import { MAX_SEAT_LIST } from "../../protocol/activity.ts";

const NOW = 1_800_000_000_000;
const SETTINGS = { activeWindowMs: 60_000, busyCpuPercent: 5 };
const NONE: Evidence = { busyAt: null, outputAt: null, mark: null, patternSince: null, seenSince: NOW - 3_600_000 };
const judge = (evidence: Partial<Evidence>, previous = null) =>
  judgeSeat({ ...NONE, ...evidence }, previous, NOW, SETTINGS);

describe("judging one seat", () => {
  it("is busy at exactly --busy-cpu and not a tick below", () => {
    expect(isBusy(50, 1_000, 5)).toBe(true);
    expect(isBusy(40, 1_000, 5)).toBe(false);
    expect(isBusy(750, 15_000, 5)).toBe(true);
  });

  it("a waiting mark wins over CPU and output, since the mark, with its why", () => {
    const mark = { state: "waiting" as const, at: NOW - 5_000, why: "permission" };
    expect(judge({ mark, busyAt: NOW, outputAt: NOW })).toEqual({
      state: "waiting",
      since: NOW - 5_000,
      via: "hook",
      why: "permission",
    });
  });

  it("a matching --waiting-pattern is waiting via pattern", () => {
    expect(judge({ patternSince: NOW - 9_000, busyAt: NOW })).toMatchObject({
      state: "waiting",
      via: "pattern",
      since: NOW - 9_000,
    });
  });

  it("a done mark is quiet via hook, whatever CPU or output follows", () => {
    const mark = { state: "done" as const, at: NOW - 10_000, why: null };
    expect(judge({ mark, busyAt: NOW, outputAt: NOW })).toEqual({
      state: "quiet",
      since: NOW - 10_000,
      via: "hook",
      why: null,
    });
  });

  it("work exactly --active-window ago still counts; a millisecond more does not", () => {
    expect(judge({ busyAt: NOW - 60_000 })).toMatchObject({ state: "working", via: "cpu" });
    expect(judge({ busyAt: NOW - 60_001 })).toMatchObject({ state: "quiet", via: "none", since: NOW - 60_001 });
  });

  it("names the latest evidence as via, and the earliest as when work began", () => {
    const working = judge({ busyAt: NOW - 1_000, outputAt: NOW - 30_000 });
    expect(working).toMatchObject({ state: "working", via: "cpu", since: NOW - 30_000 });
  });

  it("names a working mark as via over later CPU or output: the agent's own word", () => {
    const mark = { state: "working" as const, at: NOW - 20_000, why: null };
    expect(judge({ mark, busyAt: NOW, outputAt: NOW })).toMatchObject({ state: "working", via: "hook" });
  });

  it("keeps a working stretch's since from the previous sample", () => {
    const previous = { state: "working" as const, since: NOW - 300_000, via: "cpu" as const, why: null };
    expect(judgeSeat({ ...NONE, outputAt: NOW }, previous, NOW, SETTINGS).since).toBe(NOW - 300_000);
  });

  it("a working mark counts as work for --active-window, then the seat is quiet since it", () => {
    const mark = (at: number) => ({ state: "working" as const, at, why: null });
    expect(judge({ mark: mark(NOW - 59_000) })).toMatchObject({ state: "working", via: "hook" });
    expect(judge({ mark: mark(NOW - 61_000) })).toMatchObject({ state: "quiet", since: NOW - 61_000 });
  });

  it("with no evidence at all, is quiet since the beacon first saw the pane", () => {
    expect(judge({})).toEqual({ state: "quiet", since: NONE.seenSince, via: "none", why: null });
  });

  it("never dates a state after now", () => {
    expect(judge({ mark: { state: "waiting", at: NOW + 5_000, why: null } }).since).toBe(NOW);
  });
});

describe("the beat's activity and seat list", () => {
  const seat = (pane: number, state: JudgedSeat["state"], since: number): JudgedSeat => ({
    pane: `%${pane}`,
    session: "s".repeat(80),
    window: pane,
    command: "claude",
    state,
    since,
    via: "none",
    why: null,
  });

  it("counts each state and dates the oldest wait and quiet", () => {
    const seats = [seat(1, "working", 5), seat(2, "waiting", 30), seat(3, "waiting", 20), seat(4, "quiet", 40)];
    expect(summarise(seats, true)).toEqual({
      working: 1,
      waiting: 2,
      quiet: 1,
      waitingSince: 20,
      quietSince: 40,
      marks: true,
    });
  });

  it("lists waiting first, then quiet, then working, longest first, at most 32, text cut to 64", () => {
    const seats = [
      ...Array.from({ length: 40 }, (_, i) => seat(100 + i, "working", i)),
      seat(1, "quiet", 9),
      seat(2, "waiting", 50),
      seat(3, "waiting", 10),
    ];
    const list = seatList(seats);
    expect(list).toHaveLength(MAX_SEAT_LIST);
    expect(list.slice(0, 4).map((entry) => entry.pane)).toEqual(["%3", "%2", "%1", "%100"]);
    expect(list[0]?.session).toHaveLength(64);
  });
});
