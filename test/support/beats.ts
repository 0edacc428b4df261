/** Builders for valid beats, shared by worker, beacon and end-to-end tests. */
import type { SeatEntry } from "../../protocol/activity.ts";
import type { Beat } from "../../protocol/beat.ts";

export function makeBeat(overrides: Partial<Beat> = {}): Beat {
  return {
    v: 1,
    host: "box-1",
    instance: "inst-a",
    seq: 1,
    ts: Date.now(),
    seats: 3,
    idle: 1,
    commands: { claude: 3, bash: 1 },
    observed: "ok",
    servers: [
      { pid: 4242, exe: "/usr/bin/tmux", version: "3.3a", socket: "/tmp/tmux-1000/default", panes: 5, dead: 1 },
    ],
    beacon: { version: "0.1.0", node: "v20.20.2", uid: 1000 },
    ...overrides,
  };
}

export function makeSeat(overrides: Partial<SeatEntry> = {}): SeatEntry {
  return {
    pane: "%1",
    session: "main",
    window: 0,
    command: "claude",
    state: "working",
    since: Date.now() - 60_000,
    via: "cpu",
    ...overrides,
  };
}

/** A beat whose activity follows from its seat list, as a beacon builds it: counts, oldest times, marks. */
export function makeActivityBeat(seatList: SeatEntry[], overrides: Partial<Beat> = {}): Beat {
  const inState = (state: SeatEntry["state"]) => seatList.filter((s) => s.state === state);
  const oldest = (seats: SeatEntry[]) => (seats.length === 0 ? null : Math.min(...seats.map((s) => s.since)));
  return makeBeat({
    seats: seatList.length,
    commands: { claude: seatList.length },
    activity: {
      working: inState("working").length,
      waiting: inState("waiting").length,
      quiet: inState("quiet").length,
      waitingSince: oldest(inState("waiting")),
      quietSince: oldest(inState("quiet")),
      marks: seatList.some((s) => s.via === "hook"),
    },
    seatList,
    ...overrides,
  });
}
