/**
 * What receivers hear (DESIGN §6), decided the way `verdict` decides a host's health: pure, with
 * time passed in. Given the ledger's record of a host and what it is told, these say what the record
 * becomes, which transition to record, whether to announce it now or hold it for `alertAfter`, when
 * to remind, and when a storm becomes one summary. The Durable Object stores, claims and sends what
 * they return, and nothing else.
 */
import { isAlerting, type State } from "../../protocol/verdict.ts";
import { type AlertEvent, summaryEvent, type TransitionRecord, transitionId } from "../alerts/event.ts";
import { matches, type Webhook } from "../alerts/webhooks.ts";
import type { Observation } from "./observation.ts";

/** More than this many transitions announced at once become one `fleet.summary` per webhook (DESIGN §6). */
export const SUMMARY_THRESHOLD = 5;

/**
 * A host as the ledger knows it: the last observation it accepted, and what receivers last heard.
 * The seats an observation names belong to its transition, not to the host's record.
 */
export interface HostRecord extends Omit<Observation, "attention"> {
  /** The state receivers last heard of; null before the first. `new` and `paused` never replace it. */
  announced: State | null;
  /** The transition they heard it in, which reminders repeat. */
  transitionId: string | null;
  /** Set while `alertAfter` holds the state back: it is announced then if it still holds. */
  holdUntil: number | null;
  /** Set only while the host is in the alerting state receivers heard of and `repeatEvery` > 0. */
  remindAt: number | null;
  /** Reminders sent for `transitionId`. */
  reminders: number;
}

export interface Decision {
  /** The host's record from now on. */
  host: HostRecord;
  /** The state change to record; a transition seen before keeps its first record. */
  transition: TransitionRecord | null;
  /** The transition to announce, dated when it is announced; it is recorded before anything is queued. */
  announce: { id: string; at: number } | null;
}

/** When the next reminder is due after `from`; never when `repeatEvery` is 0. */
function reminderAt(repeatEvery: number, from: number): number | null {
  return repeatEvery > 0 ? from + repeatEvery * 1000 : null;
}

/** (lastSeen, at) orders what the ledger hears: older evidence never overrides newer. */
function isOlder(obs: Observation, host: HostRecord): boolean {
  const seen = obs.lastSeen ?? 0;
  const known = host.lastSeen ?? 0;
  return seen < known || (seen === known && obs.at < host.at);
}

/**
 * What receivers are to hear of `host` in its current state, judged at `at`: the one decision
 * behind both a new observation and a hold falling due.
 */
function judge(host: HostRecord, at: number): { host: HostRecord; announce: string | null } {
  const quiet: HostRecord = { ...host, holdUntil: null, remindAt: null };
  if (isAlerting(host.state)) {
    if (host.announced === host.state) {
      // Back in the state receivers last heard (e.g. resumed while still silent): no news, reminders resume.
      return { host: { ...quiet, remindAt: reminderAt(host.repeatEvery, at) }, announce: null };
    }
    const holdUntil = host.since + host.alertAfter * 1000;
    if (holdUntil > at) return { host: { ...quiet, holdUntil }, announce: null };
  } else if (host.state === "up") {
    // `new → up` is no news; only a recovery from what receivers heard is.
    if (host.announced === null || !isAlerting(host.announced)) {
      return { host: { ...quiet, announced: "up" }, announce: null };
    }
  } else {
    // `new` and `paused` announce nothing and keep what receivers last heard.
    return { host: quiet, announce: null };
  }
  const id = transitionId(host.host, host.state, host.since);
  return {
    host: {
      ...quiet,
      announced: host.state,
      transitionId: id,
      reminders: 0,
      remindAt: isAlerting(host.state) ? reminderAt(host.repeatEvery, at) : null,
    },
    announce: id,
  };
}

/**
 * An observation handed to the ledger. Null when it changes nothing: the state is the one known,
 * or the evidence is older than what the ledger already heard (a cron run's stale view).
 */
export function applyObservation(stored: HostRecord | null, obs: Observation): Decision | null {
  // A record of a deleted incarnation (another epoch) is no record: the re-created host starts afresh.
  const known = stored && stored.epoch === obs.epoch ? stored : null;
  if (known && (isOlder(obs, known) || known.state === obs.state)) return null;
  const transition: TransitionRecord = {
    id: transitionId(obs.host, obs.state, obs.since),
    host: obs.host,
    state: obs.state,
    previous: known?.state ?? "new",
    reason: obs.reason,
    seats: obs.seats,
    minSeats: obs.minSeats,
    lastSeen: obs.lastSeen,
    since: obs.since,
    at: obs.at,
    attention: obs.attention,
  };
  const carried = {
    announced: known?.announced ?? null,
    transitionId: known?.transitionId ?? null,
    reminders: known?.reminders ?? 0,
  };
  const { attention, ...observed } = obs;
  const judged = judge({ ...observed, ...carried, holdUntil: null, remindAt: null }, obs.at);
  return {
    host: judged.host,
    transition,
    announce: judged.announce === null ? null : { id: judged.announce, at: obs.at },
  };
}

/** `alertAfter` has passed: the held state is announced now if the host is still in it. */
export function releaseHold(host: HostRecord, now: number): Decision {
  const judged = judge(host, now);
  return {
    host: judged.host,
    transition: null,
    announce: judged.announce === null ? null : { id: judged.announce, at: now },
  };
}

/** A reminder falling due: the `reminder`-th repeat of the announced transition (null: none is due). */
export function remind(host: HostRecord, now: number): { host: HostRecord; reminder: number | null } {
  if (host.remindAt === null || host.remindAt > now) return { host, reminder: null };
  const reminder = host.reminders + 1;
  return { host: { ...host, reminders: reminder, remindAt: reminderAt(host.repeatEvery, now) }, reminder };
}

/** An announced transition's event, with the labels of the host it is about (for routing). */
export interface Announced {
  event: AlertEvent;
  labels: readonly string[];
}

/** What one webhook is sent for transitions announced together: each on its own, or in a storm one summary. */
export function messagesFor(
  hook: Pick<Webhook, "format" | "labels">,
  announced: readonly Announced[],
  now: number,
  origin: string,
): AlertEvent[] {
  const events = announced.filter((a) => matches(hook, a.labels)).map((a) => a.event);
  // PagerDuty keeps one incident per host (dedup_key): a summary could never be resolved by the
  // hosts' recoveries, and PagerDuty groups a storm of its alerts itself.
  if (events.length > SUMMARY_THRESHOLD && hook.format !== "pagerduty") return [summaryEvent(events, now, origin)];
  return events;
}
