/**
 * `run` (DESIGN §3): the loop that does the I/O around the pacer's decisions. It samples on a fixed
 * schedule (and when a retry is due), writes the health file after every sample, and pushes a fresh,
 * freshly signed beat whenever the pacer says so. It never exits on a failed push; an abort (SIGTERM)
 * stops it between steps, after the push in flight has finished.
 */
import type { Beat } from "../protocol/beat.ts";
import { type Health, writeHealth } from "./health.ts";
import type { Observer } from "./observe.ts";
import { type Outcome, Pacer, type PacerSettings, type PushCause, type Reading } from "./pacer.ts";
import { ClockWatch, type PushResult, pushBeat, type WorkerClient } from "./push.ts";
import { type Identity, type SampleActivity, takeSample } from "./sample.ts";
import type { SeatRule } from "./seats.ts";

export interface DaemonOptions {
  observer: Observer;
  rule: SeatRule;
  /** Seats at work (DESIGN §3a); absent, beats carry no activity (as from an older beacon). */
  activity?: SampleActivity;
  identity: Identity;
  client: WorkerClient;
  publicKey: string;
  sampleMs: number;
  pacing: PacerSettings;
  /** Where to write the health file; null writes none. */
  healthPath: string | null;
  signal: AbortSignal;
  onEvent: (event: DaemonEvent) => void;
  random?: () => number;
}

export type DaemonEvent =
  | {
      event: "sample";
      /** Samples since start, from 0. */
      n: number;
      at: number;
      observed: "ok" | "error";
      reason: string | null;
      seats: number;
      push: PushCause | null;
    }
  | {
      event: "push";
      n: number;
      seq: number;
      cause: PushCause;
      attempt: number;
      at: number;
      result: PushResult;
      /** When the next retry goes (null: accepted, nothing owed). */
      retryAt: number | null;
    }
  | { event: "health_error"; path: string; message: string };

export async function runDaemon(options: DaemonOptions): Promise<void> {
  const { observer, rule, identity, client, signal, onEvent } = options;
  const pacer = new Pacer(options.pacing, Date.now(), options.random);
  const clock = new ClockWatch();
  const context = { host: identity.host, publicKey: options.publicKey, clock };
  let nextSampleAt = Date.now();
  let n = 0;
  let seq = 0;
  let state: { state: string; minSeats: number } | null = null;
  let lastPush: Health["last_push"] = null;
  let lastHealthError = "";

  const health = (beat: Beat): void => {
    if (options.healthPath === null) return;
    const status = pacer.status();
    try {
      writeHealth(options.healthPath, {
        host: identity.host,
        instance: identity.instance,
        pid: process.pid,
        sampled_at: new Date(beat.ts).toISOString(),
        observed: beat.observed,
        reason: beat.reason ?? null,
        seats_seen: beat.seats,
        idle: beat.idle,
        servers: beat.servers,
        state: state?.state ?? null,
        min_seats: status.minSeats,
        last_accepted_at: state ? new Date(status.lastAcceptedAt).toISOString() : null,
        last_push: lastPush,
        failures: status.failures,
        next_retry_at: status.retryAt === null ? null : new Date(status.retryAt).toISOString(),
      });
      lastHealthError = "";
    } catch (error) {
      const message = (error as Error).message;
      // Once per distinct failure: a read-only /run must not flood the journal every 15 s.
      if (message !== lastHealthError) onEvent({ event: "health_error", path: options.healthPath, message });
      lastHealthError = message;
    }
  };

  while (!signal.aborted) {
    const retryAt = pacer.retryDueAt();
    await sleepUntil(retryAt === null ? nextSampleAt : Math.min(nextSampleAt, retryAt), signal);
    if (signal.aborted) break;

    const sample = await takeSample(observer, rule, identity, seq, options.activity);
    const now = Date.now();
    if (now >= nextSampleAt) {
      nextSampleAt += options.sampleMs;
      // A sample slower than the interval skips the slots it overran rather than bursting to catch up.
      if (nextSampleAt <= now) nextSampleAt = now + options.sampleMs;
    }
    const reading: Reading = { observed: sample.beat.observed, seats: sample.beat.seats };
    if (sample.beat.reason !== undefined) reading.reason = sample.beat.reason;
    if (sample.beat.activity !== undefined) reading.activity = sample.beat.activity;
    const decision = pacer.sampled(now, reading);
    const pushing = decision.push && !signal.aborted;
    onEvent({
      event: "sample",
      n,
      at: now,
      observed: reading.observed,
      reason: reading.reason ?? null,
      seats: reading.seats,
      push: decision.push ? decision.cause : null,
    });
    health(sample.beat);

    if (pushing && decision.push) {
      const beat = { ...sample.beat, seq };
      const result = await pushBeat(client, beat, context);
      const at = Date.now();
      pacer.pushed(at, reading, outcomeOf(result));
      if (result.kind === "accepted") state = { state: result.state, minSeats: result.minSeats };
      lastPush = {
        at: new Date(at).toISOString(),
        seq,
        cause: decision.cause,
        result: result.kind,
        status: result.kind === "unreachable" ? null : result.status,
        code: result.kind === "refused" ? result.code : null,
        message: result.kind === "accepted" ? null : result.message,
      };
      onEvent({
        event: "push",
        n,
        seq,
        cause: decision.cause,
        attempt: decision.attempt,
        at,
        result,
        retryAt: pacer.retryDueAt(),
      });
      seq += 1;
      health(sample.beat);
    }
    n += 1;
  }
}

function outcomeOf(result: PushResult): Outcome {
  if (result.kind === "accepted") return { accepted: true, minSeats: result.minSeats, policy: result.policy };
  if (result.kind === "refused" && result.retryAfterMs !== undefined) {
    return { accepted: false, retryAfterMs: result.retryAfterMs };
  }
  return { accepted: false };
}

function sleepUntil(at: number, signal: AbortSignal): Promise<void> {
  const ms = at - Date.now();
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
