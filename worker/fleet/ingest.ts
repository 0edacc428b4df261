/**
 * The beat path (DESIGN §5): checks in the contract's order, each rejection before any write.
 * 413 → 415 → 401 headers → 400 JSON/host → 401 invalid_signature (unknown host and bad
 * signature answer alike, so outsiders cannot probe host names) → 400 schema → 401
 * stale_timestamp → 409 replayed (by the beacon's (instance, seq), replay.ts) → 429 per-host rate. Only then is `beat:<id>` written.
 */
import { type Beat, validateBeat } from "../../protocol/beat.ts";
import { hostIdProblem } from "../../protocol/host.ts";
import { MAX_BEAT_BYTES } from "../../protocol/limits.ts";
import { verifyV1a } from "../../protocol/signing.ts";
import { type MaintenanceNow, type ObservationRecord, type Verdict, verdict } from "../../protocol/verdict.ts";
import { type BodyRule, readSignedJsonObject } from "../http/body.ts";
import { ApiError, invalidFields } from "../http/errors.ts";
import { checkFresh } from "../http/fresh.ts";
import { activityRecord } from "./activity.ts";
import { claimHost, releaseHost, rememberAccepted, withRecent } from "./beats-here.ts";
import { trackInstance } from "./duplicate.ts";
import { cachedHost } from "./host-cache.ts";
import { maintenanceFor } from "./maintenance.ts";
import { cachedWindows } from "./maintenance-store.ts";
import type { BeatRecord, HostConfig } from "./records.ts";
import { rememberBeat, replayedAfter, seenInstances } from "./replay.ts";
import { HISTORY_LENGTH, readBeat, writeBeat } from "./store.ts";

/** KV allows one write a second per key; a faster beacon is told to back off rather than failing at KV. */
const MIN_BEAT_INTERVAL_MS = 1000;

export interface Accepted {
  host: HostConfig;
  record: BeatRecord;
  /** The host's verdict just before this beat, judged at its arrival (so silence counts); null for a first beat. */
  previous: Verdict | null;
}

const BEAT_BODY: BodyRule = {
  maxBytes: MAX_BEAT_BYTES,
  what: "a beat",
  tooLargeHint: "send fewer servers or commands",
};

export async function ingestBeat(request: Request, kv: KVNamespace, now: number): Promise<Accepted> {
  const { signature, bytes: body, json } = await readSignedJsonObject(request, BEAT_BODY);
  if (hostIdProblem(json.host) !== null) {
    throw new ApiError(
      400,
      "invalid_host",
      "the beat's host must be a valid host id (see DESIGN §4: ^[a-z0-9][a-z0-9._-]{0,62}$)",
    );
  }
  const hostId = json.host as string;

  const host = await cachedHost(kv, hostId, now);
  if (!host?.key || !(await verifyV1a(host.key, signature, body))) {
    throw new ApiError(
      401,
      "invalid_signature",
      "no enrolled key for this host verifies the signature: check SEATWATCH_HOST and the key file, or enroll the host (a new enrollment can take up to a minute to reach every edge)",
    );
  }

  const validation = validateBeat(json);
  if (!validation.ok) {
    const first = validation.errors[0]?.message ?? "invalid beat";
    throw invalidFields("invalid_beat", validation.errors, `the beat does not match the schema: ${first}`);
  }
  const beat = validation.value;

  checkFresh("webhook-timestamp", signature.timestamp * 1000, now, "beat");
  checkFresh("the beat's ts", beat.ts, now, "beat");

  const claim = claimHost(hostId, host.config.epoch, beat, now);
  if (claim === "replayed") throw replayed(beat, beat.seq);
  if (claim === "busy") throw oneAtATime();
  try {
    return await accept(kv, host.config, beat, now);
  } finally {
    releaseHost(claim);
  }
}

function replayed(beat: Beat, lastSeq: number): ApiError {
  return new ApiError(
    409,
    "replayed",
    `seq ${beat.seq} of beacon instance ${beat.instance} is not newer than the last accepted from it (${lastSeq}): a replay; the beacon's next beat will be accepted`,
  );
}

function oneAtATime(): ApiError {
  return new ApiError(
    429,
    "rate_limited",
    "at most one beat a second per host is accepted; retry after 1 s",
    undefined,
    {
      "retry-after": "1",
    },
  );
}

/** A verified, fresh beat of a host this isolate has claimed: judged against the last one, and stored. */
async function accept(kv: KVNamespace, config: HostConfig, beat: Beat, now: number): Promise<Accepted> {
  const hostId = config.id;
  const last = await readBeat(kv, hostId, config.epoch);
  const { seen, lastSeen } = withRecent(hostId, config.epoch, seenInstances(last), last?.lastSeen ?? null);
  const lastSeq = replayedAfter(seen, beat.instance, beat.seq);
  if (lastSeq !== null) throw replayed(beat, lastSeq);
  if (lastSeen !== null && now - lastSeen < MIN_BEAT_INTERVAL_MS) throw oneAtATime();

  // The previous verdict as of now, not as stored: a host whose last beat is older than its grace
  // was silent, so this beat is a recovery the ledger must hear of, and its state starts now.
  const windows = await cachedWindows(kv, now);
  const maintenance = maintenanceFor(windows, hostId, config.policy.labels, now);
  const previous = last ? verdict(observationOf(last), config.policy, now, maintenance) : null;
  const record = {
    ...nextRecord(config, last, previous, beat, now, maintenance),
    seen: rememberBeat(seen, beat, now),
  };
  await writeBeat(kv, hostId, record);
  rememberAccepted(hostId, config.epoch, record.seen, now);
  return { host: config, record, previous };
}

/** What the verdict judges a stored beat by, its activity moved onto the Worker's clock. */
function observationOf(record: Pick<BeatRecord, "beat" | "lastSeen" | "clockOffsetMs">): ObservationRecord {
  const { seats, observed, reason } = record.beat;
  return {
    seats,
    observed,
    reason: reason ?? null,
    lastSeen: record.lastSeen,
    activity: activityRecord(record.beat, record.clockOffsetMs),
  };
}

function nextRecord(
  config: HostConfig,
  last: BeatRecord | null,
  previous: Verdict | null,
  beat: Beat,
  now: number,
  maintenance: MaintenanceNow | null,
): BeatRecord {
  const clockOffsetMs = now - beat.ts;
  const { state, reason } = verdict(
    observationOf({ beat, lastSeen: now, clockOffsetMs }),
    config.policy,
    now,
    maintenance,
  );
  const history = [...(last?.history ?? []), [now, beat.seats] as [number, number]].slice(-HISTORY_LENGTH);
  return {
    epoch: config.epoch,
    beat,
    lastSeen: now,
    clockOffsetMs,
    state,
    reason,
    since: last && last.state === state && previous?.state === state ? last.since : now,
    history,
    ...trackInstance(last, beat.instance, now),
  };
}
