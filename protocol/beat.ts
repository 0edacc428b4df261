/**
 * The beat: one signed observation of one host (DESIGN §4). This file is the only
 * definition of its shape; the beacon builds beats with it and the Worker validates them with it.
 */
import { type Activity, MAX_SEAT_LIST, SEAT_STATES, SEAT_VIAS, type SeatEntry } from "./activity.ts";
import { describeHostIdProblem, hostIdProblem } from "./host.ts";
import {
  INSTANCE_PATTERN,
  MAX_BINARIES,
  MAX_COMMANDS,
  MAX_COUNT,
  MAX_SEAT_TEXT,
  MAX_SERVERS,
  MAX_TEXT,
  PANE_ID_PATTERN,
  REASON_PATTERN,
} from "./limits.ts";
import type { FieldError, Validation } from "./validation.ts";

export const BEAT_VERSION = 1;

/**
 * Why a beacon could not observe: DESIGN §3's list, extended by `client_error` (the client failed in
 * a way none of the others name: an unknown message on stderr, a crash). Other snake_case codes are
 * accepted and carried through.
 */
export const OBSERVE_REASONS = [
  "not_found",
  "no_server",
  "stale_socket",
  "access_denied",
  "protocol_mismatch",
  "version_too_old",
  "server_lost",
  "timeout",
  "parse_error",
  "pid_mismatch",
  "empty_answer",
  "socket_hidden",
  "client_error",
] as const;

export type Observed = "ok" | "error";

export interface BeatServer {
  pid: number;
  exe: string;
  version: string;
  socket: string;
  panes: number;
  dead: number;
  skipped?: boolean;
  error?: string;
}

export interface BeatBinary {
  path: string;
  version: string | null;
}

export interface Beat {
  v: 1;
  host: string;
  instance: string;
  seq: number;
  /** Sample time, unix milliseconds. */
  ts: number;
  seats: number;
  idle: number;
  commands: Record<string, number>;
  observed: Observed;
  reason?: string;
  servers: BeatServer[];
  binaries?: BeatBinary[];
  /** Seats at work (DESIGN §3a); absent from older beacons. */
  activity?: Activity;
  /** Waiting seats first, then quiet, then working; absent from older beacons and with `--no-seat-list`. */
  seatList?: SeatEntry[];
  beacon: { version: string; node: string; uid: number };
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  return Array.isArray(value) ? "an array" : typeof value;
}

/** Collects field errors while reading an untrusted object; each reader returns a typed value. */
class Reader {
  readonly errors: FieldError[] = [];

  fail(field: string, message: string): void {
    this.errors.push({ field, message });
  }

  int(obj: Obj, key: string, path: string, min: number, max: number): number {
    const value = obj[key];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
      this.fail(path, `${path} must be an integer from ${min} to ${max} (got ${shown(value)})`);
      return 0;
    }
    return value;
  }

  text(obj: Obj, key: string, path: string, max = MAX_TEXT): string {
    const value = obj[key];
    if (typeof value !== "string" || value.length > max) {
      this.fail(path, `${path} must be a string of at most ${max} characters (got ${shown(value)})`);
      return "";
    }
    return value;
  }

  /** A unix-ms time, or null where the contract allows "none"; undefined when it is neither. */
  time(obj: Obj, key: string, path: string): number | null | undefined {
    const value = obj[key];
    if (value === null) return null;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
      this.fail(path, `${path} must be a time in unix milliseconds, or null (got ${shown(value)})`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(obj: Obj, key: string, path: string, allowed: readonly T[]): T {
    const value = obj[key];
    if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
      this.fail(path, `${path} must be one of ${allowed.join(", ")} (got ${shown(value)})`);
      return allowed[0] as T;
    }
    return value as T;
  }

  reason(value: unknown, path: string): string {
    if (typeof value !== "string" || !REASON_PATTERN.test(value)) {
      this.fail(
        path,
        `${path} must be a snake_case code of at most 64 characters, e.g. "no_server" (got ${shown(value)})`,
      );
      return "";
    }
    return value;
  }
}

function readServer(r: Reader, value: unknown, path: string): BeatServer {
  if (!isObject(value)) {
    r.fail(path, `${path} must be an object`);
    return { pid: 0, exe: "", version: "", socket: "", panes: 0, dead: 0 };
  }
  const server: BeatServer = {
    pid: r.int(value, "pid", `${path}.pid`, 1, 2 ** 31),
    exe: r.text(value, "exe", `${path}.exe`),
    version: r.text(value, "version", `${path}.version`, 64),
    socket: r.text(value, "socket", `${path}.socket`),
    panes: r.int(value, "panes", `${path}.panes`, 0, MAX_COUNT),
    dead: r.int(value, "dead", `${path}.dead`, 0, MAX_COUNT),
  };
  if (value.skipped !== undefined) {
    if (typeof value.skipped !== "boolean") r.fail(`${path}.skipped`, `${path}.skipped must be true or false`);
    else server.skipped = value.skipped;
  }
  if (value.error !== undefined && value.error !== null) server.error = r.reason(value.error, `${path}.error`);
  return server;
}

function readCommands(r: Reader, value: unknown): Record<string, number> {
  if (!isObject(value)) {
    r.fail("commands", `commands must be an object of { name: count } (got ${shown(value)})`);
    return {};
  }
  const names = Object.keys(value);
  if (names.length > MAX_COMMANDS) {
    r.fail(
      "commands",
      `commands may have at most ${MAX_COMMANDS} entries (got ${names.length}); send the top ${MAX_COMMANDS}`,
    );
  }
  const entries: [string, number][] = [];
  for (const name of names) {
    if (name.length === 0 || name.length > 64) {
      r.fail("commands", `command names must be 1-64 characters (got ${shown(name)})`);
      continue;
    }
    entries.push([name, r.int(value, name, `commands[${JSON.stringify(name)}]`, 0, MAX_COUNT)]);
  }
  // fromEntries defines own properties, so a command named "__proto__" stays data, never a prototype.
  return Object.fromEntries(entries);
}

function readBinaries(r: Reader, value: unknown): BeatBinary[] {
  if (!Array.isArray(value) || value.length > MAX_BINARIES) {
    r.fail("binaries", `binaries must be an array of at most ${MAX_BINARIES} { path, version } objects`);
    return [];
  }
  return value.map((item, i) => {
    const path = `binaries[${i}]`;
    if (!isObject(item)) {
      r.fail(path, `${path} must be an object`);
      return { path: "", version: null };
    }
    const version = item.version === null ? null : r.text(item, "version", `${path}.version`, 64);
    return { path: r.text(item, "path", `${path}.path`), version };
  });
}

function readActivity(r: Reader, value: unknown, seats: number): Activity {
  if (!isObject(value)) {
    r.fail("activity", "activity must be an object { working, waiting, quiet, waitingSince, quietSince, marks }");
    return { working: 0, waiting: 0, quiet: 0, waitingSince: null, quietSince: null, marks: false };
  }
  const waitingSince = r.time(value, "waitingSince", "activity.waitingSince");
  const quietSince = r.time(value, "quietSince", "activity.quietSince");
  const activity: Activity = {
    working: r.int(value, "working", "activity.working", 0, MAX_COUNT),
    waiting: r.int(value, "waiting", "activity.waiting", 0, MAX_COUNT),
    quiet: r.int(value, "quiet", "activity.quiet", 0, MAX_COUNT),
    waitingSince: waitingSince ?? null,
    quietSince: quietSince ?? null,
    marks: value.marks === true,
  };
  if (typeof value.marks !== "boolean") r.fail("activity.marks", "activity.marks must be true or false");
  const { working, waiting, quiet } = activity;
  if (working + waiting + quiet !== seats) {
    r.fail(
      "activity",
      `activity.working + waiting + quiet must equal seats (${seats}); got ${working} + ${waiting} + ${quiet}: every seat is in exactly one state`,
    );
  }
  // The Worker judges waits by the oldest one; a count without its time (or a time without a count) cannot be judged.
  for (const [state, count, since] of [
    ["waiting", waiting, waitingSince],
    ["quiet", quiet, quietSince],
  ] as const) {
    if (since !== undefined && count > 0 !== (since !== null)) {
      r.fail(
        `activity.${state}Since`,
        `activity.${state}Since must be the oldest ${state} seat's since (unix ms) while ${state} > 0, and null while it is 0 (got ${since} with ${state} = ${count})`,
      );
    }
  }
  return activity;
}

function readSeat(r: Reader, value: unknown, path: string): SeatEntry {
  if (!isObject(value)) {
    r.fail(path, `${path} must be an object { pane, session, window, command, state, since, via }`);
    return { pane: "", session: "", window: 0, command: "", state: "quiet", since: 0, via: "none" };
  }
  if (typeof value.pane !== "string" || !PANE_ID_PATTERN.test(value.pane)) {
    r.fail(`${path}.pane`, `${path}.pane must be a tmux pane id such as "%3" (got ${shown(value.pane)})`);
  }
  const session = r.text(value, "session", `${path}.session`, MAX_SEAT_TEXT);
  if (value.session === "") r.fail(`${path}.session`, `${path}.session must not be empty (tmux names every session)`);
  const seat: SeatEntry = {
    pane: String(value.pane),
    session,
    window: r.int(value, "window", `${path}.window`, 0, 2 ** 31 - 1),
    command: r.text(value, "command", `${path}.command`, MAX_SEAT_TEXT),
    state: r.oneOf(value, "state", `${path}.state`, SEAT_STATES),
    since: r.time(value, "since", `${path}.since`) ?? 0,
    via: r.oneOf(value, "via", `${path}.via`, SEAT_VIAS),
  };
  if (value.since === null) r.fail(`${path}.since`, `${path}.since must be a time in unix milliseconds`);
  if (value.why !== undefined) seat.why = r.text(value, "why", `${path}.why`, MAX_SEAT_TEXT);
  return seat;
}

function readSeatList(r: Reader, value: unknown, activity: Activity | undefined): SeatEntry[] {
  if (!Array.isArray(value) || value.length > MAX_SEAT_LIST) {
    r.fail(
      "seatList",
      `seatList must be an array of at most ${MAX_SEAT_LIST} seats (waiting first); send the first ${MAX_SEAT_LIST}`,
    );
    return [];
  }
  if (activity === undefined) {
    r.fail("seatList", "seatList needs activity: the list samples the seats activity counts");
    return [];
  }
  const before = r.errors.length;
  const seats = value.map((item, i) => readSeat(r, item, `seatList[${i}]`));
  if (r.errors.length > before) return seats;
  // Pane ids repeat across tmux servers, so entries are not checked for uniqueness; their counts are.
  for (const state of SEAT_STATES) {
    const listed = seats.filter((s) => s.state === state).length;
    if (listed > activity[state]) {
      r.fail("seatList", `seatList lists ${listed} ${state} seats but activity.${state} is ${activity[state]}`);
    }
  }
  return seats;
}

/**
 * Validates an untrusted, already-parsed beat. Unknown top-level fields are dropped (a newer
 * beacon may send more; DESIGN says the contract only grows by extension); every known field is checked.
 */
export function validateBeat(input: unknown): Validation<Beat> {
  const r = new Reader();
  if (!isObject(input)) return { ok: false, errors: [{ field: "", message: "a beat must be a JSON object" }] };

  if (input.v !== BEAT_VERSION) r.fail("v", `v must be ${BEAT_VERSION} (got ${shown(input.v)})`);
  const hostProblem = hostIdProblem(input.host);
  if (hostProblem) r.fail("host", describeHostIdProblem(input.host, hostProblem));
  const instance = input.instance;
  if (typeof instance !== "string" || !INSTANCE_PATTERN.test(instance)) {
    r.fail("instance", `instance must be 1-64 characters of A-Z a-z 0-9 _ - (got ${shown(instance)})`);
  }

  const observed = input.observed;
  if (observed !== "ok" && observed !== "error") {
    r.fail("observed", `observed must be "ok" or "error" (got ${shown(observed)})`);
  }
  let reason: string | undefined;
  if (observed === "error") {
    if (input.reason === undefined || input.reason === null) {
      r.fail("reason", 'reason is required when observed is "error" (e.g. "no_server")');
    } else {
      reason = r.reason(input.reason, "reason");
    }
  } else if (input.reason !== undefined && input.reason !== null) {
    r.fail("reason", 'reason is only allowed when observed is "error"');
  }

  const servers: BeatServer[] = [];
  if (!Array.isArray(input.servers) || input.servers.length > MAX_SERVERS) {
    r.fail("servers", `servers must be an array of at most ${MAX_SERVERS} objects`);
  } else {
    input.servers.forEach((s, i) => {
      servers.push(readServer(r, s, `servers[${i}]`));
    });
  }

  let beacon = { version: "", node: "", uid: 0 };
  if (!isObject(input.beacon)) {
    r.fail("beacon", "beacon must be an object { version, node, uid }");
  } else {
    beacon = {
      version: r.text(input.beacon, "version", "beacon.version", 32),
      node: r.text(input.beacon, "node", "beacon.node", 32),
      uid: r.int(input.beacon, "uid", "beacon.uid", 0, 2 ** 32 - 1),
    };
  }

  const beat: Beat = {
    v: BEAT_VERSION,
    host: String(input.host),
    instance: String(instance),
    seq: r.int(input, "seq", "seq", 0, Number.MAX_SAFE_INTEGER),
    ts: r.int(input, "ts", "ts", 1, Number.MAX_SAFE_INTEGER),
    seats: r.int(input, "seats", "seats", 0, MAX_COUNT),
    idle: r.int(input, "idle", "idle", 0, MAX_COUNT),
    commands: readCommands(r, input.commands),
    observed: observed === "error" ? "error" : "ok",
    servers,
    beacon,
  };
  if (reason !== undefined) beat.reason = reason;
  if (input.binaries !== undefined) beat.binaries = readBinaries(r, input.binaries);
  if (input.activity !== undefined) beat.activity = readActivity(r, input.activity, beat.seats);
  if (input.seatList !== undefined) beat.seatList = readSeatList(r, input.seatList, beat.activity);

  return r.errors.length > 0 ? { ok: false, errors: r.errors } : { ok: true, value: beat };
}
