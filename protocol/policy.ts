/**
 * Per-host policy (DESIGN §2): one schema and one set of defaults, shared by the Worker (which
 * validates and stores it) and the beacon (which predicts the verdict with it).
 */
export interface Policy {
  minSeats: number;
  graceSeconds: number;
  alertAfter: number;
  repeatEvery: number;
  labels: string[];
  paused: boolean;
  /** Unix ms; a time in the past means resumed. The API speaks ISO 8601 (answers.ts `policyAnswer`). */
  pausedUntil: number | null;
  /** Seats at work (DESIGN §3a): a seat waiting for a person longer than this makes the host `waiting`; 0 = off. */
  maxWaitSeconds: number;
  /** Fewer working seats than this makes the host `stalled`; 0 = off. */
  minWorking: number;
  /** A seat quiet longer than this makes the host `stalled`; 0 = off. */
  maxQuietSeconds: number;
}

export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze({
  minSeats: 1,
  /** Five minutes: two missed keep-alives (120 s) plus slack before a host counts as silent. */
  graceSeconds: 300,
  alertAfter: 0,
  /** Six hours between reminders while a host stays down; 0 = never. */
  repeatEvery: 21_600,
  labels: [],
  paused: false,
  pausedUntil: null,
  /**
   * Fifteen minutes: a permission prompt nobody answers for that long is a stuck agent, while a
   * person who steps away for coffee is not paged. On by default because only marks or
   * `--waiting-pattern` report waits, and both say a decision is owed (a finished turn is quiet).
   */
  maxWaitSeconds: 900,
  /** Off: a person's own sessions sit quiet between tasks; an autonomous fleet turns it on. */
  minWorking: 0,
  /** Off, for the same reason as minWorking. */
  maxQuietSeconds: 0,
});

/** Grace below 30 s would flap on one slow push; above a day the switch is no longer a switch. */
export const GRACE_RANGE = { min: 30, max: 86_400 } as const;
export const MAX_LABELS = 8;
export const LABEL_PATTERN = /^[a-z0-9_-]{1,32}$/;

/** A list of host labels as webhooks and maintenance windows name them: at most MAX_LABELS, each a label. */
export function isLabelList(value: unknown): value is string[] {
  return (
    Array.isArray(value) &&
    value.length <= MAX_LABELS &&
    value.every((l) => typeof l === "string" && LABEL_PATTERN.test(l))
  );
}
export const MAX_HOLD_SECONDS = 30 * 86_400;
/**
 * maxWaitSeconds and maxQuietSeconds, when on: the cron judges once a minute, so a shorter limit
 * would promise a precision the switch does not have; 30 days is the longest hold anywhere.
 */
export const ACTIVITY_LIMIT_RANGE = { min: 60, max: MAX_HOLD_SECONDS } as const;

export const POLICY_KEYS = Object.keys(DEFAULT_POLICY) as (keyof Policy)[];

export function isPaused(policy: Pick<Policy, "paused" | "pausedUntil">, now: number): boolean {
  if (policy.pausedUntil !== null) return policy.pausedUntil > now;
  return policy.paused;
}

/**
 * Whether the policy can only be judged from a beat's `activity` (DESIGN §2: without it, `error`
 * `activity_unknown`). minWorking and maxQuietSeconds ask about every seat, so a beat without
 * activity cannot answer them. maxWaitSeconds alone does not need it: it is on by default, waits
 * are seen only through marks or `--waiting-pattern`, and an older beacon has neither — it cannot
 * be hiding a wait, so its hosts stay judged as before instead of all turning `error` at once.
 */
export function needsActivity(policy: Pick<Policy, "minWorking" | "maxQuietSeconds">): boolean {
  return policy.minWorking > 0 || policy.maxQuietSeconds > 0;
}
