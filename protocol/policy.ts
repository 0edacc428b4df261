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
});

/** Grace below 30 s would flap on one slow push; above a day the switch is no longer a switch. */
export const GRACE_RANGE = { min: 30, max: 86_400 } as const;
export const MAX_LABELS = 8;
export const LABEL_PATTERN = /^[a-z0-9_-]{1,32}$/;
export const MAX_HOLD_SECONDS = 30 * 86_400;

export const POLICY_KEYS = Object.keys(DEFAULT_POLICY) as (keyof Policy)[];

export function isPaused(policy: Pick<Policy, "paused" | "pausedUntil">, now: number): boolean {
  if (policy.pausedUntil !== null) return policy.pausedUntil > now;
  return policy.paused;
}
