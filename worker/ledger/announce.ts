/**
 * What receivers hear (DESIGN §6), decided the way `verdict` decides a host's health: pure, with
 * time passed in. Given the ledger's record of a host and what it is told, these say what the record
 * becomes, which transition to record, whether to announce it now or hold it for `alertAfter`, to
 * whom (routing.ts), when to remind, and when a flapping host goes quiet and when it has settled.
 * The Durable Object stores, claims and sends what they return, and nothing else.
 */
import { isAlerting, type State } from "../../protocol/verdict.ts";
import { FLAPPING, type TransitionRecord, transitionId } from "../alerts/event.ts";
import type { Observation } from "./observation.ts";
import { type Route, union } from "./routing.ts";

/** One state change the flapping count keeps: when the ledger heard it, and the state it went to. */
export type Change = [at: number, state: State];

/**
 * A host as the ledger knows it: the last observation it accepted, and what receivers last heard.
 * The seats an observation names belong to its transition, not to the host's record.
 */
export interface HostRecord extends Omit<Observation, "attention"> {
  /** The state receivers last heard of; null before the first. `new` and `paused` never replace it. */
  announced: State | null;
  /** The transition they heard it in, which reminders repeat. */
  transitionId: string | null;
  /** Set while `alertAfter` holds the state back, or while a flapping host waits to settle. */
  holdUntil: number | null;
  /** Set only while the host is in the alerting state receivers heard of and `repeatEvery` > 0. */
  remindAt: number | null;
  /** Reminders sent for `transitionId`. */
  reminders: number;
  /** Alerting states announced since the last recovery: the webhooks that heard one hear the recovery. */
  heard: State[];
  /** State changes within the flapping window, oldest first. */
  changes: Change[];
  /** When the `host.flapping` notice went out; null unless the host is flapping. */
  flappingSince: number | null;
}

/** How a recorded transition is announced: as itself, or as the notice that the host is flapping. */
export type AnnounceAs = "transition" | "flapping";

export interface Decision {
  /** The host's record from now on. */
  host: HostRecord;
  /** The state change to record; a transition seen before keeps its first record. */
  transition: TransitionRecord | null;
  /**
   * The transition to announce, dated when it is announced, and the states a webhook must hear to
   * be sent it; it is recorded before anything is queued.
   */
  announce: { id: string; at: number; states: State[]; as: AnnounceAs } | null;
}

type Judged = { host: HostRecord; announce: { id: string; states: State[]; as: AnnounceAs } | null };

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

/** A pause, a resume or a first beat is the operator's doing or the host's birth, not flapping. */
function countsAsChange(from: State, to: State): boolean {
  const quiet: readonly State[] = ["new", "paused"];
  return !quiet.includes(from) && !quiet.includes(to);
}

/**
 * The host's current state announced to `states`' webhooks. Alerting states join `heard`; a
 * recovery is heard by everyone who heard one of them, and starts the next episode afresh.
 */
function announced(host: HostRecord, at: number, states: State[]): Judged {
  const alerting = isAlerting(host.state);
  return {
    host: {
      ...host,
      announced: host.state,
      transitionId: transitionId(host.host, host.state, host.since),
      reminders: 0,
      remindAt: alerting ? reminderAt(host.repeatEvery, at) : null,
      heard: alerting ? union(host.heard, [host.state]) : [],
    },
    announce: { id: transitionId(host.host, host.state, host.since), states, as: "transition" },
  };
}

/** Who heard of the episode a recovery or a settling ends. */
function episodeStates(host: HostRecord): State[] {
  return union(host.heard, host.announced !== null && isAlerting(host.announced) ? [host.announced] : []);
}

/** A flapping host: quiet until one state has held `settleMs`, then one event for where it settled. */
function settle(host: HostRecord, at: number): Judged {
  const settleAt = host.since + FLAPPING.settleMs;
  if (settleAt > at) return { host: { ...host, holdUntil: settleAt }, announce: null };
  const settled: HostRecord = { ...host, flappingSince: null, changes: [] };
  // Settled into a pause (or a re-enrollment): the operator knows; nothing to say.
  if (!isAlerting(host.state) && host.state !== "up") return { host: settled, announce: null };
  return announced(settled, at, union(episodeStates(host), isAlerting(host.state) ? [host.state] : []));
}

/**
 * What receivers are to hear of `host` in its current state, judged at `at`: the one decision
 * behind both a new observation and a hold falling due.
 */
function judge(host: HostRecord, at: number): Judged {
  const quiet: HostRecord = { ...host, holdUntil: null, remindAt: null };
  if (host.flappingSince !== null) return settle(quiet, at);
  if (isAlerting(host.state)) {
    if (host.announced === host.state) {
      // Back in the state receivers last heard (e.g. resumed while still silent): no news, reminders resume.
      return { host: { ...quiet, remindAt: reminderAt(host.repeatEvery, at) }, announce: null };
    }
    const holdUntil = host.since + host.alertAfter * 1000;
    if (holdUntil > at) return { host: { ...quiet, holdUntil }, announce: null };
    return announced(quiet, at, [host.state]);
  }
  if (host.state === "up") {
    // `new → up` is no news; only a recovery from what receivers heard is.
    if (host.announced === null || !isAlerting(host.announced)) {
      return { host: { ...quiet, announced: "up", heard: [] }, announce: null };
    }
    return announced(quiet, at, episodeStates(host));
  }
  // `new` and `paused` announce nothing and keep what receivers last heard.
  return { host: quiet, announce: null };
}

/** More than FLAPPING.changes changes in the window and not flapping yet: the one notice, to all who hear any of its states. */
function startFlapping(host: HostRecord, at: number): Judged | null {
  if (host.flappingSince !== null || host.changes.length <= FLAPPING.changes) return null;
  const flapped = host.changes.map(([, state]) => state).filter(isAlerting);
  const states = union(episodeStates(host), flapped);
  return {
    host: { ...host, flappingSince: at, holdUntil: host.since + FLAPPING.settleMs, remindAt: null, heard: states },
    announce: { id: transitionId(host.host, host.state, host.since), states, as: "flapping" },
  };
}

/**
 * When the observed state began, as the ledger records it: never at or before the start of the
 * state it follows. A reporter can name an earlier start — the cron hands over "up since t" from
 * a beat record that never saw the silence the ledger recorded after t — and a recovery cannot
 * begin before the silence it ends; the ledger then dates it when it learned of it. So each host's
 * transitions have strictly increasing `since`, and their ids (host, state, since) never repeat:
 * a second recovery no longer carries the first one's `webhook-id`, which receivers would drop.
 */
function sinceAfter(known: HostRecord | null, obs: Observation): number {
  if (known === null || obs.since > known.since) return obs.since;
  return Math.max(obs.at, known.since + 1);
}

/**
 * An observation handed to the ledger. Null when it changes nothing: the state is the one known,
 * or the evidence is older than what the ledger already heard (a cron run's stale view).
 */
export function applyObservation(stored: HostRecord | null, obs: Observation): Decision | null {
  // A record of a deleted incarnation (another epoch) is no record: the re-created host starts afresh.
  const known = stored && stored.epoch === obs.epoch ? stored : null;
  if (known && (isOlder(obs, known) || known.state === obs.state)) return null;
  const since = sinceAfter(known, obs);
  const transition: TransitionRecord = {
    id: transitionId(obs.host, obs.state, since),
    host: obs.host,
    state: obs.state,
    previous: known?.state ?? "new",
    reason: obs.reason,
    seats: obs.seats,
    minSeats: obs.minSeats,
    lastSeen: obs.lastSeen,
    since,
    at: obs.at,
    attention: obs.attention,
  };
  const recent = (known?.changes ?? []).filter(([t]) => t > obs.at - FLAPPING.windowMs);
  const counted = known !== null && countsAsChange(known.state, obs.state);
  const { attention, ...observed } = obs;
  const host: HostRecord = {
    ...observed,
    since,
    announced: known?.announced ?? null,
    transitionId: known?.transitionId ?? null,
    reminders: known?.reminders ?? 0,
    heard: known?.heard ?? [],
    changes: counted ? [...recent, [obs.at, obs.state]] : recent,
    flappingSince: known?.flappingSince ?? null,
    holdUntil: null,
    remindAt: null,
  };
  const judged = startFlapping(host, obs.at) ?? judge(host, obs.at);
  return {
    host: judged.host,
    transition,
    announce: judged.announce === null ? null : { ...judged.announce, at: obs.at },
  };
}

/** `alertAfter` has passed, or a flapping host may have settled: announced now if still so. */
export function releaseHold(host: HostRecord, now: number): Decision {
  const judged = judge(host, now);
  return {
    host: judged.host,
    transition: null,
    announce: judged.announce === null ? null : { ...judged.announce, at: now },
  };
}

/** A reminder falling due: the `reminder`-th repeat of the announced transition (null: none is due). */
export function remind(host: HostRecord, now: number): { host: HostRecord; reminder: number | null } {
  if (host.remindAt === null || host.remindAt > now) return { host, reminder: null };
  // A flapping host's reminders wait until it settles (its notice said so).
  if (host.flappingSince !== null) return { host: { ...host, remindAt: null }, reminder: null };
  const reminder = host.reminders + 1;
  return { host: { ...host, reminders: reminder, remindAt: reminderAt(host.repeatEvery, now) }, reminder };
}

/** A reminder is about the state it repeats, sent to the host's labels as they are now. */
export function reminderRoute(host: HostRecord): Route {
  return { labels: host.labels, states: host.announced === null ? [] : [host.announced] };
}

/**
 * The host's labels as the cron read them from its config just now: routing follows the present,
 * not the labels the host had at its last state change. Null when they are the ones recorded.
 */
export function withLabels(host: HostRecord, labels: readonly string[]): HostRecord | null {
  const same = host.labels.length === labels.length && host.labels.every((l, i) => l === labels[i]);
  return same ? null : { ...host, labels: [...labels] };
}
