/**
 * The host policy as the CLI checks it before any write (DESIGN §2). The Worker validates again
 * and is the authority; this copy exists so an invalid fleet file is refused whole, with its line
 * numbers, before the first request. The Worker's own schema lives in worker/ (not importable from
 * here); when it moves to protocol/, this file should import it instead.
 */

export interface Policy {
  minSeats: number;
  graceSeconds: number;
  alertAfter: number;
  repeatEvery: number;
  labels: string[];
  paused: boolean;
  /** ISO 8601; a time in the past means resumed. */
  pausedUntil: string | null;
  maxWaitSeconds: number;
  minWorking: number;
  maxQuietSeconds: number;
}

export type PolicyField = keyof Policy;
export type PolicySpec = Partial<Policy>;

/** DESIGN §2's defaults: what a field the file leaves out means. */
export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze({
  minSeats: 1,
  graceSeconds: 300,
  alertAfter: 0,
  repeatEvery: 21_600,
  labels: [],
  paused: false,
  pausedUntil: null,
  maxWaitSeconds: 900,
  minWorking: 0,
  maxQuietSeconds: 0,
});

export const POLICY_FIELDS = Object.keys(DEFAULT_POLICY) as PolicyField[];

export const LABEL_PATTERN = /^[a-z0-9_-]{1,32}$/;
export const MAX_LABELS = 8;
const MAX_COUNT = 100_000;
const MAX_HOLD_SECONDS = 30 * 86_400;

/** Every state a host can be in (DESIGN §2): what a webhook's `states` may name. */
export const STATES = ["up", "low", "stalled", "waiting", "blind", "error", "silent", "new", "paused"] as const;

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
  graceSeconds: intIn(30, 86_400),
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
