/** One sample: observe, count seats, and shape the beat the beacon would send (DESIGN §4). */
import { randomBytes } from "node:crypto";
import packageJson from "../package.json";
import type { Beat, BeatServer } from "../protocol/beat.ts";
import type { ActivityConfig } from "./config.ts";
import { FRESH_CPU_INTERVAL_MS } from "./limits.ts";
import type { Observation, Observer } from "./observe.ts";
import { type ActivityReport, ActivityTracker } from "./seat-activity.ts";
import { countSeats, type SeatCount, type SeatRule } from "./seats.ts";

export const BEACON_VERSION: string = packageJson.version;

/** Who is beating: fixed for the life of one beacon process. */
export interface Identity {
  host: string;
  /** Random per start, so the Worker can tell two machines cloned from one image apart. */
  instance: string;
}

export function newIdentity(host: string): Identity {
  return { host, instance: randomBytes(12).toString("base64url") };
}

export interface Sample {
  beat: Beat;
  observation: Observation;
  count: SeatCount;
  /** Each seat's activity (DESIGN §3a); null when the sample was taken without a tracker. */
  activity: ActivityReport | null;
}

/** Seats at work: the tracker that judges each seat, and whether the beat names them (`--no-seat-list`: not). */
export interface SampleActivity {
  tracker: ActivityTracker;
  seatList: boolean;
}

/** A tracker for `once` and `run`: panes seen for the first time are measured over FRESH_CPU_INTERVAL_MS. */
export function sampleActivity(config: ActivityConfig, env: NodeJS.ProcessEnv): SampleActivity {
  const tracker = new ActivityTracker({ ...config, freshIntervalMs: FRESH_CPU_INTERVAL_MS, env });
  return { tracker, seatList: config.seatList };
}

export async function takeSample(
  observer: Observer,
  rule: SeatRule,
  identity: Identity,
  seq: number,
  activity?: SampleActivity,
): Promise<Sample> {
  const ts = Date.now();
  const observation = await observer.observe();
  const count = countSeats(observation, rule);
  const report = activity ? await activity.tracker.assess(observation, count.seatPanes, observer, ts) : null;
  const beat = toBeat(observation, count, identity, seq, ts);
  if (report) {
    beat.activity = report.activity;
    if (activity?.seatList) beat.seatList = report.seatList;
  }
  return { beat, observation, count, activity: report };
}

export function toBeat(observation: Observation, count: SeatCount, identity: Identity, seq: number, ts: number): Beat {
  const servers = observation.servers.map((server): BeatServer => {
    const entry: BeatServer = {
      pid: server.pid,
      exe: server.exe,
      version: server.version,
      socket: server.socket,
      panes: server.panes.length,
      dead: server.panes.filter((pane) => pane.dead).length,
    };
    if (server.skipped) entry.skipped = true;
    if (server.error) entry.error = server.error.reason;
    return entry;
  });
  const beat: Beat = {
    v: 1,
    host: identity.host,
    instance: identity.instance,
    seq,
    ts,
    seats: count.seats,
    idle: count.idle,
    commands: count.commands,
    observed: observation.error ? "error" : "ok",
    servers,
    beacon: { version: BEACON_VERSION, node: process.version, uid: process.getuid?.() ?? 0 },
  };
  if (observation.error) beat.reason = observation.error.reason;
  return beat;
}
