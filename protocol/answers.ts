/**
 * The Worker's answers on the wire (DESIGN §5), imported by both sides: the beacon reacts to these
 * codes and reads the 202 answer with these types, so neither side switches on bare strings.
 */
import type { Policy } from "./policy.ts";
import { isoOrNull } from "./time.ts";
import type { State } from "./verdict.ts";

/** Every `error.code` the Worker may answer with. */
export const ERROR_CODES = [
  "payload_too_large",
  "unsupported_media_type",
  "missing_signature",
  "malformed_signature",
  "invalid_signature",
  "stale_timestamp",
  "unauthorized",
  "admin_disabled",
  "invalid_token",
  "invalid_json",
  "invalid_host",
  "invalid_beat",
  "invalid_policy",
  "invalid_request",
  "reserved_host",
  "not_found",
  "unknown_host",
  "replayed",
  "token_used",
  "key_registered",
  "invalid_webhook",
  "unknown_webhook",
  "unknown_label",
  "delivery_failed",
  "rate_limited",
  "internal_error",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One error shape everywhere: `{ error: { code, message } }` with the right status. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Reads an error body from an untrusted answer; null when it is not one. */
export function errorOf(json: unknown): { code: string; message: string } | null {
  const error = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (!error || typeof error.code !== "string") return null;
  return { code: error.code, message: typeof error.message === "string" ? error.message : "" };
}

/** A host's policy as every answer shows it: times in ISO 8601, as they are sent. */
export type PolicyAnswer = Omit<Policy, "pausedUntil"> & { pausedUntil: string | null };

export function policyAnswer(policy: Policy): PolicyAnswer {
  return { ...policy, pausedUntil: isoOrNull(policy.pausedUntil) };
}

/** `200` to `POST /v1/enroll`: the key is registered; the policy is what the host will be judged by. */
export interface EnrollAnswer {
  enrolled: true;
  host: string;
  policy: PolicyAnswer;
}

/** The part of a host's policy the beacon needs to predict the Worker's verdict (DESIGN §3a "Judging"). */
export type BeaconPolicy = Pick<Policy, "minSeats" | "maxWaitSeconds" | "minWorking" | "maxQuietSeconds">;

export function beaconPolicy(policy: BeaconPolicy): BeaconPolicy {
  const { minSeats, maxWaitSeconds, minWorking, maxQuietSeconds } = policy;
  return { minSeats, maxWaitSeconds, minWorking, maxQuietSeconds };
}

/**
 * `202` to `POST /v1/beats`: the verdict the Worker derived and the policy the beacon needs.
 * `minSeats` also stays at the top level, where beacons older than `policy` read it.
 */
export interface BeatAccepted {
  accepted: true;
  state: State;
  reason: string | null;
  minSeats: number;
  policy: BeaconPolicy;
}
