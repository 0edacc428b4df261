/**
 * The one validator of per-host policy used by every admin call. Unknown keys are refused so a
 * typo (`minseats`) never silently does nothing. Each field's check carries the JSON Schema of
 * what it accepts, which `GET /openapi.json` publishes (POLICY_SCHEMA).
 */
import { integer, type JsonSchema, matching } from "../../protocol/json-schema.ts";
import { MAX_COUNT } from "../../protocol/limits.ts";
import {
  ACTIVITY_LIMIT_RANGE,
  DEFAULT_POLICY,
  GRACE_RANGE,
  LABEL_PATTERN,
  MAX_HOLD_SECONDS,
  MAX_LABELS,
  POLICY_KEYS,
  type Policy,
} from "../../protocol/policy.ts";
import { parseIsoDateTime } from "../../protocol/time.ts";
import type { FieldError, Validation } from "../../protocol/validation.ts";

/** A field's check (null when the value is fine, else what is wrong) and the schema it enforces. */
type Checker = ((value: unknown) => string | null) & { schema: JsonSchema };

function checker(schema: JsonSchema, check: (value: unknown) => string | null): Checker {
  return Object.assign(check, { schema });
}

function intIn(min: number, max: number, extra = ""): Checker {
  return checker(integer(min, max), (value) =>
    typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max
      ? null
      : `must be an integer from ${min} to ${max}${extra} (got ${JSON.stringify(value)})`,
  );
}

/** `min…max`, or 0 to turn the setting off. */
function intInOrOff(min: number, max: number, extra: string): Checker {
  const inRange = intIn(min, max, extra);
  return checker({ anyOf: [{ const: 0 }, inRange.schema] }, (value) => (value === 0 ? null : inRange(value)));
}

const CHECKS: Record<keyof Policy, Checker> = {
  minSeats: intIn(0, 100_000),
  graceSeconds: intIn(GRACE_RANGE.min, GRACE_RANGE.max),
  alertAfter: intIn(0, MAX_HOLD_SECONDS),
  repeatEvery: intInOrOff(60, MAX_HOLD_SECONDS, ", or 0 for no reminders"),
  labels: checker(
    { type: "array", items: matching(LABEL_PATTERN), maxItems: MAX_LABELS, uniqueItems: true },
    (value) => {
      if (!Array.isArray(value) || value.length > MAX_LABELS) return `must be an array of at most ${MAX_LABELS} labels`;
      const bad = value.find((label) => typeof label !== "string" || !LABEL_PATTERN.test(label));
      if (bad !== undefined) return `entries must match [a-z0-9_-]{1,32} (got ${JSON.stringify(bad)})`;
      return new Set(value).size === value.length ? null : "must not repeat a label";
    },
  ),
  paused: checker({ type: "boolean" }, (value) => (typeof value === "boolean" ? null : "must be true or false")),
  pausedUntil: checker({ type: ["string", "null"], format: "date-time" }, (value) =>
    value === null || parseIsoDateTime(value) !== null
      ? null
      : 'must be an ISO 8601 date-time with its zone, such as "2026-12-01T06:00:00Z" or "2026-12-01T07:00:00+01:00", or null',
  ),
  maxWaitSeconds: intInOrOff(ACTIVITY_LIMIT_RANGE.min, ACTIVITY_LIMIT_RANGE.max, ", or 0 for off"),
  minWorking: intIn(0, MAX_COUNT, " (0 for off)"),
  maxQuietSeconds: intInOrOff(ACTIVITY_LIMIT_RANGE.min, ACTIVITY_LIMIT_RANGE.max, ", or 0 for off"),
};

/** The policy fields an admin body may carry, as `GET /openapi.json` shows them (all optional). */
export const POLICY_SCHEMA: JsonSchema = {
  type: "object",
  properties: Object.fromEntries(
    POLICY_KEYS.map((key) => [key, { ...CHECKS[key].schema, default: DEFAULT_POLICY[key] }]),
  ),
  additionalProperties: false,
};

export type PolicyPatch = Partial<Policy>;

/**
 * Validates the policy fields of an admin body. `allowed` names extra non-policy keys the caller
 * handles itself (e.g. `publicKey`); anything else unknown is an error.
 */
export function validatePolicyPatch(
  body: Record<string, unknown>,
  allowed: readonly string[] = [],
): Validation<PolicyPatch> {
  const errors: FieldError[] = [];
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (allowed.includes(key)) continue;
    // Own keys only: `in` also finds Object.prototype's (hasOwnProperty was stored as a policy
    // field, __proto__ was "checked" by calling a non-function: a 500).
    if (!Object.hasOwn(CHECKS, key)) {
      errors.push({
        field: key,
        message: `unknown field ${JSON.stringify(key)}; policy fields are ${POLICY_KEYS.join(", ")}`,
      });
      continue;
    }
    const problem = CHECKS[key as keyof Policy](value);
    if (problem) errors.push({ field: key, message: `${key} ${problem}` });
    else patch[key] = key === "pausedUntil" && value !== null ? parseIsoDateTime(value) : value;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: patch as PolicyPatch };
}
