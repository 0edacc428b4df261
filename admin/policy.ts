/**
 * The host policy as the CLI checks it before any write (DESIGN §2): protocol/policy.ts's schema,
 * defaults and bounds. The Worker validates again and is the authority; this check exists so an
 * invalid fleet file is refused whole, with its line numbers, before the first request.
 */
import { MAX_COUNT } from "../protocol/limits.ts";
import {
  ACTIVITY_LIMIT_RANGE,
  GRACE_RANGE,
  LABEL_PATTERN,
  MAX_HOLD_SECONDS,
  MAX_LABELS,
  DEFAULT_POLICY as PROTOCOL_DEFAULTS,
  type Policy as ProtocolPolicy,
} from "../protocol/policy.ts";
import { STATES as PROTOCOL_STATES } from "../protocol/verdict.ts";

export type Policy = ProtocolPolicy;
export type PolicyField = keyof Policy;
export type PolicySpec = Partial<Policy>;

/** What a field the file leaves out means. */
export const DEFAULT_POLICY: Readonly<Policy> = PROTOCOL_DEFAULTS;

export const POLICY_FIELDS = Object.keys(DEFAULT_POLICY) as PolicyField[];

/** Every state a host can be in (DESIGN §2): what a webhook's `states` may name. */
export const STATES: readonly string[] = PROTOCOL_STATES;

type Check = (value: unknown) => string | null;

function intIn(min: number, max: number, extra = ""): Check {
  return (value) =>
    typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max
      ? null
      : `must be an integer from ${min} to ${max}${extra} (got ${JSON.stringify(value)})`;
}

/** maxWaitSeconds and maxQuietSeconds: 0 turns them off. */
const limitOrOff: Check = (value) =>
  value === 0 ? null : intIn(ACTIVITY_LIMIT_RANGE.min, ACTIVITY_LIMIT_RANGE.max, ", or 0 for off")(value);

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
  maxWaitSeconds: limitOrOff,
  minWorking: intIn(0, MAX_COUNT, " (0 = off)"),
  maxQuietSeconds: limitOrOff,
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
