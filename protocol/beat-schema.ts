/**
 * The beat's JSON Schema for `GET /openapi.json`, built from the limits `validateBeat` checks
 * (limits.ts, host.ts). `objectOf<Beat>` makes a beat field without a schema a compile error, and
 * test/worker/openapi-conformance.test.ts checks that the schema and `validateBeat` agree.
 */
import { type Activity, MAX_SEAT_LIST, SEAT_STATES, SEAT_VIAS, type SeatEntry } from "./activity.ts";
import { BEAT_VERSION, type Beat, type BeatBinary, type BeatServer, OBSERVE_REASONS } from "./beat.ts";
import { HOST_ID_SCHEMA } from "./host.ts";
import { integer, type JsonSchema, matching, nullable, objectOf } from "./json-schema.ts";
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

const text = (max: number): JsonSchema => ({ type: "string", maxLength: max });
const count = integer(0, MAX_COUNT);
const reason = matching(REASON_PATTERN, `a snake_case code, e.g. ${OBSERVE_REASONS.join(", ")}`);

const SERVER = objectOf<BeatServer>(
  {
    pid: integer(1, 2 ** 31),
    exe: text(MAX_TEXT),
    version: text(64),
    socket: text(MAX_TEXT),
    panes: count,
    dead: count,
    skipped: { type: "boolean" },
    error: nullable(reason),
  },
  ["pid", "exe", "version", "socket", "panes", "dead"],
);

const BINARY = objectOf<BeatBinary>({ path: text(MAX_TEXT), version: nullable(text(64)) }, "all");

const time = integer(1, Number.MAX_SAFE_INTEGER, "unix ms, beacon clock");

/** Not expressed, but checked: a seat list's states never outnumber activity's counts; working + waiting + quiet = seats, and each *Since is null exactly while its count is 0. */
const ACTIVITY = objectOf<Activity>(
  {
    working: count,
    waiting: count,
    quiet: count,
    waitingSince: nullable(time),
    quietSince: nullable(time),
    marks: { type: "boolean" },
  },
  "all",
);

const SEAT = objectOf<SeatEntry>(
  {
    pane: matching(PANE_ID_PATTERN),
    session: { type: "string", minLength: 1, maxLength: MAX_SEAT_TEXT },
    window: integer(0, 2 ** 31 - 1),
    command: text(MAX_SEAT_TEXT),
    state: { enum: SEAT_STATES },
    since: time,
    via: { enum: SEAT_VIAS },
    why: text(MAX_SEAT_TEXT),
  },
  ["pane", "session", "window", "command", "state", "since", "via"],
);

/** Unknown fields are dropped, not refused: a newer beacon may send more (DESIGN §4). */
export const BEAT_SCHEMA: JsonSchema = objectOf<Beat>(
  {
    v: { const: BEAT_VERSION },
    host: HOST_ID_SCHEMA,
    instance: matching(INSTANCE_PATTERN, "random per beacon start"),
    seq: integer(0, Number.MAX_SAFE_INTEGER, "beats since the beacon started"),
    ts: integer(1, Number.MAX_SAFE_INTEGER, "sample time, unix ms"),
    seats: count,
    idle: count,
    commands: {
      type: "object",
      maxProperties: MAX_COMMANDS,
      propertyNames: { minLength: 1, maxLength: 64 },
      additionalProperties: count,
    },
    observed: { enum: ["ok", "error"] },
    reason: nullable(reason),
    servers: { type: "array", items: SERVER, maxItems: MAX_SERVERS },
    binaries: { type: "array", items: BINARY, maxItems: MAX_BINARIES },
    activity: ACTIVITY,
    seatList: { type: "array", items: SEAT, maxItems: MAX_SEAT_LIST },
    beacon: objectOf<Beat["beacon"]>({ version: text(32), node: text(32), uid: integer(0, 2 ** 32 - 1) }, "all"),
  },
  ["v", "host", "instance", "seq", "ts", "seats", "idle", "commands", "observed", "servers", "beacon"],
  {
    dependentRequired: { seatList: ["activity"] },
    // reason is required when observed is "error", and only then.
    anyOf: [
      { properties: { observed: { const: "error" }, reason }, required: ["reason"] },
      { properties: { observed: { const: "ok" }, reason: { type: "null" } } },
    ],
  },
);
