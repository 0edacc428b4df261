/**
 * The host policy as the CLI checks it before any write (DESIGN §2): protocol/policy.ts's schema
 * and defaults, plus the seats-at-work fields (§3a) that protocol/ does not have yet — defined here
 * until they land there, and refused before any write by a Worker that does not report them.
 * The Worker validates again and is the authority; this check exists so an invalid fleet file is
 * refused whole, with its line numbers, before the first request.
 */
import {
  GRACE_RANGE,
  LABEL_PATTERN,
  MAX_HOLD_SECONDS,
  MAX_LABELS,
  DEFAULT_POLICY as PROTOCOL_DEFAULTS,
  type Policy as ProtocolPolicy,
} from "../protocol/policy.ts";
import { STATES as PROTOCOL_STATES } from "../protocol/verdict.ts";

export interface Policy extends ProtocolPolicy {
  /** 0 = off. */
  maxWaitSeconds: number;
  /** 0 = off. */
  minWorking: number;
  /** 0 = off. */
  maxQuietSeconds: number;
}

export type PolicyField = keyof Policy;
export type PolicySpec = Partial<Policy>;

/** What a field the file leaves out means: protocol/'s defaults, and DESIGN §2's for the §3a fields. */
export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze({
  ...PROTOCOL_DEFAULTS,
  maxWaitSeconds: 900,
  minWorking: 0,
  maxQuietSeconds: 0,
});

export const POLICY_FIELDS = Object.keys(DEFAULT_POLICY) as PolicyField[];

const MAX_COUNT = 100_000;

/** Every state a host can be in (DESIGN §2), `waiting` and `stalled` (§3a) included: what a webhook's `states` may name. */
export const STATES: readonly string[] = [...new Set([...PROTOCOL_STATES, "waiting", "stalled"])];

type Check = (value: unknown) => string | null;

function intIn(min: number, max: number, extra = ""): Check {
  return (value) =>
    typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max
      ? null
      : `must be an integer from ${min} to ${max}${extra} (got ${JSON.stringify(value)})`;
}

export function labelsProblem(value: unknown): string | null {
  if (!Array.isArray(value) || value.length > MAX_LABELS) return `must be a list of at most ${MAX_LABELS} labels`;
  const bad = value.find((label) => typeof label !== "string" || !LABEL_PATTERN.test(label));
  if (bad !== undefined) return `entries must match [a-z0-9_-]{1,32} (got ${JSON.stringify(bad)})`;
  return new Set(value).size === value.length ? null : "must not repeat a label";
}

const CHECKS: Record<PolicyField, Check> = {
  minSeats: intIn(0, MAX_COUNT),
  graceSeconds: intIn(GRACE_RANGE.min, GRACE_RANGE.max),
  alertAfter: intIn(0, MAX_HOLD_SECONDS),
  repeatEvery: (value) => (value === 0 ? null : intIn(60, MAX_HOLD_SECONDS, ", or 0 for no reminders")(value)),
  labels: labelsProblem,
  paused: (value) => (typeof value === "boolean" ? null : `must be true or false (got ${JSON.stringify(value)})`),
  pausedUntil: (value) =>
    value === null || (typeof value === "string" && !Number.isNaN(Date.parse(value)))
      ? null
      : `must be an ISO 8601 time such as "2026-12-01T06:00:00Z", or null (got ${JSON.stringify(value)})`,
  maxWaitSeconds: intIn(0, MAX_HOLD_SECONDS, " (0 = off)"),
  minWorking: intIn(0, MAX_COUNT, " (0 = off)"),
  maxQuietSeconds: intIn(0, MAX_HOLD_SECONDS, " (0 = off)"),
};

export function isPolicyField(name: string): name is PolicyField {
  return name in CHECKS;
}

/** Why `value` cannot be `field`, or null. */
export function policyProblem(field: PolicyField, value: unknown): string | null {
  return CHECKS[field](value);
}

/** The form the Worker stores, so a file's "2026-12-01T06:00:00Z" equals the Worker's "…:00.000Z". */
export function normalizePolicyValue(field: PolicyField, value: unknown): unknown {
  if (field === "pausedUntil" && typeof value === "string") return new Date(value).toISOString();
  return value;
}
