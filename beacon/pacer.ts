/**
 * When `run` pushes (DESIGN §3), as a pure state machine: time comes in as an argument and
 * randomness as a function, so every rule is tested without sleeping. The loop that samples,
 * signs and sends lives in `daemon.ts`; this file only decides.
 *
 * Rules:
 * - A state change (observed or reason changing, seats reaching or leaving zero, seats crossing the
 *   `minSeats` of the Worker's last 202) is pushed once `confirm` consecutive samples show it, so one
 *   slow tmux answer pages no one.
 * - So is a change of the predicted verdict (DESIGN §3a "Judging"): protocol's `verdict`, with the
 *   policy of the last 202, judges this sample and the last accepted one at the same `now`. They
 *   differ when the Worker, judging what it holds, would be wrong — a wait it has not heard of
 *   passes `maxWaitSeconds`, or one it holds has ended. A wait it has heard of turns the host
 *   `waiting` on the Worker's own clock (the cron), so it needs no push. Every other activity
 *   change (working ↔ quiet, a new wait) waits for the keep-alive: activity adds no KV writes.
 * - Other seat-count changes are pushed at most once per `seatsEveryMs` after the last accepted push.
 * - A keep-alive goes when `keepaliveMs` has passed since the last accepted push.
 * - A failed push is owed until one is accepted; it is retried with exponential backoff and jitter,
 *   each retry being whatever the fresh sample at that moment shows.
 */
import type { BeaconPolicy } from "../protocol/answers.ts";
import { GRACE_RANGE } from "../protocol/policy.ts";
import { type ActivityRecord, verdict } from "../protocol/verdict.ts";
import { RETRY_BASE_MS, RETRY_JITTER, RETRY_MAX_MS, SEATS_PUSH_EVERY_MS } from "./limits.ts";

/** What the pacer needs from a sample. */
export interface Reading {
  observed: "ok" | "error";
  reason?: string;
  seats: number;
  /** The sample's seat activity (beacon clock); absent when the beacon does not judge activity. */
  activity?: ActivityRecord;
}

export interface PacerSettings {
  confirm: number;
  keepaliveMs: number;
  seatsEveryMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export type PushCause = "start" | "change" | "seats" | "keepalive";

export type Decision = { push: false } | { push: true; cause: PushCause; attempt: number };

export type Outcome =
  /** `policy`: absent or null from a Worker that does not send it (then only seat states are predicted). */
  | { accepted: true; minSeats: number; policy?: BeaconPolicy | null }
  /** `retryAfterMs`: the Worker's Retry-After, a floor under the backoff. */
  | { accepted: false; retryAfterMs?: number };

/** Where a reading sits relative to what the Worker derives states from; equal classes mean no state change. */
export function stateClass(reading: Reading, minSeats: number | null): string {
  const seats =
    reading.seats === 0 ? "zero" : minSeats === null ? "some" : reading.seats < minSeats ? "below" : "enough";
  return reading.observed === "ok" ? `ok/${seats}` : `error/${reading.reason ?? ""}/${seats}`;
}

/**
 * The part of the predicted verdict that activity decides: `waiting` or `stalled` and why, else "".
 * Freshness and pauses are the Worker's to judge, so the record is fresh and the host unpaused.
 */
export function activityClass(reading: Reading, policy: BeaconPolicy | null, now: number): string {
  if (policy === null || reading.activity === undefined) return "";
  const record = {
    seats: reading.seats,
    observed: reading.observed,
    reason: reading.reason ?? null,
    lastSeen: now,
    activity: reading.activity,
  };
  const judged = verdict(record, { ...policy, graceSeconds: GRACE_RANGE.max, paused: false, pausedUntil: null }, now);
  return judged.state === "waiting" || judged.state === "stalled" ? `${judged.state}/${judged.reason ?? ""}` : "";
}

/** Priority when several reasons to push meet in one owed push (the log names the strongest). */
const RANK: Record<PushCause, number> = { keepalive: 0, seats: 1, change: 2, start: 3 };

export class Pacer {
  private readonly confirm: number;
  private readonly keepaliveMs: number;
  private readonly seatsEveryMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  /** What the Worker holds: the last accepted push (null before the first). */
  private reported: Reading | null = null;
  private minSeats: number | null = null;
  private policy: BeaconPolicy | null = null;
  /** A class other than the reported one, and how many consecutive samples have shown it. */
  private candidate: { cls: string; streak: number } | null = null;
  private lastAcceptedAt: number;
  /** A keep-alive that waited for an unconfirmed candidate to settle, counted in samples. */
  private keepaliveWaited = 0;
  private owed: PushCause | null = null;
  private failures = 0;
  private retryAt: number | null = null;

  constructor(
    settings: PacerSettings,
    startedAt: number,
    private readonly random: () => number = Math.random,
  ) {
    if (!Number.isInteger(settings.confirm) || settings.confirm < 1) throw new RangeError("confirm must be ≥ 1");
    this.confirm = settings.confirm;
    this.keepaliveMs = settings.keepaliveMs;
    this.seatsEveryMs = settings.seatsEveryMs ?? SEATS_PUSH_EVERY_MS;
    this.retryBaseMs = settings.retryBaseMs ?? RETRY_BASE_MS;
    this.retryMaxMs = settings.retryMaxMs ?? RETRY_MAX_MS;
    this.lastAcceptedAt = startedAt;
  }

  /** Called with every sample; says whether to push this one. */
  sampled(now: number, reading: Reading): Decision {
    const cls = this.classOf(reading, now);
    const reported = this.reported;
    if (reported !== null && cls === this.classOf(reported, now)) {
      this.candidate = null;
    } else {
      this.candidate = this.candidate?.cls === cls ? { cls, streak: this.candidate.streak + 1 } : { cls, streak: 1 };
    }
    const confirmed = this.candidate !== null && this.candidate.streak >= this.confirm;
    const sinceAccepted = now - this.lastAcceptedAt;

    if (confirmed) {
      this.owe(reported === null ? "start" : "change");
    } else if (reported !== null && this.candidate === null && reading.seats !== reported.seats) {
      if (sinceAccepted >= this.seatsEveryMs) this.owe("seats");
    }
    if (sinceAccepted >= this.keepaliveMs && this.owed === null) {
      // A keep-alive must not carry a one-sample blip to the Worker: let the candidate settle for up
      // to `confirm` samples (it either confirms, which is a change, or goes away), then send anyway.
      if (this.candidate === null || this.keepaliveWaited >= this.confirm) this.owe("keepalive");
      else this.keepaliveWaited += 1;
    }

    if (this.owed === null || (this.retryAt !== null && now < this.retryAt)) return { push: false };
    return { push: true, cause: this.owed, attempt: this.failures + 1 };
  }

  /** Called with the answer to a push of `reading` (the sample just pushed). */
  pushed(now: number, reading: Reading, outcome: Outcome): void {
    if (outcome.accepted) {
      this.minSeats = outcome.minSeats;
      this.policy = outcome.policy ?? null;
      this.reported = reading;
      if (this.candidate?.cls === this.classOf(reading, now)) this.candidate = null;
      this.lastAcceptedAt = now;
      this.keepaliveWaited = 0;
      this.owed = null;
      this.failures = 0;
      this.retryAt = null;
      return;
    }
    this.failures += 1;
    const backoff = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (this.failures - 1));
    const jittered = backoff * (1 - RETRY_JITTER + 2 * RETRY_JITTER * this.random());
    this.retryAt = now + Math.max(jittered, outcome.retryAfterMs ?? 0);
  }

  /** When an owed push should be retried (the loop takes a fresh sample then), or null when none is owed. */
  retryDueAt(): number | null {
    return this.owed === null ? null : this.retryAt;
  }

  /** For the health file and logs. */
  status(): {
    minSeats: number | null;
    owed: PushCause | null;
    failures: number;
    retryAt: number | null;
    lastAcceptedAt: number;
  } {
    return {
      minSeats: this.minSeats,
      owed: this.owed,
      failures: this.failures,
      retryAt: this.owed === null ? null : this.retryAt,
      lastAcceptedAt: this.lastAcceptedAt,
    };
  }

  /** Seat state and predicted activity verdict: equal classes mean the Worker's view needs no push. */
  private classOf(reading: Reading, now: number): string {
    return `${stateClass(reading, this.minSeats)}|${activityClass(reading, this.policy, now)}`;
  }

  private owe(cause: PushCause): void {
    if (this.owed === null || RANK[cause] > RANK[this.owed]) this.owed = cause;
  }
}
