/**
 * What the ledger announces (DESIGN §4): one event shape, the `json` format's body, from which
 * every other format is rendered at send time. Times are ISO 8601; `id` doubles as `webhook-id`,
 * so a transition keeps its id across retries and a reminder gets `<transition id>.r<n>`.
 */
import { iso, isoOrNull } from "../../protocol/time.ts";
import type { State } from "../../protocol/verdict.ts";
import { type AttentionSeat, type SeatAtWork, seatsAt } from "../fleet/activity.ts";

export type AlertType = "host.transition" | "host.reminder" | "host.flapping" | "fleet.summary" | "test";

/**
 * Flapping (DESIGN §6): more than `changes` state changes within `windowMs` is one `host.flapping`
 * notice, then quiet until one state has held for `settleMs`, then one event for where it settled.
 */
export const FLAPPING = { changes: 6, windowMs: 30 * 60_000, settleMs: 10 * 60_000 } as const;

export interface AlertEvent {
  type: AlertType;
  id: string;
  host: string;
  state: State | null;
  previous: State | null;
  reason: string | null;
  seats: number | null;
  minSeats: number | null;
  lastSeen: string | null;
  since: string | null;
  at: string;
  links: { host: string; badge: string };
  /**
   * Only on `waiting` and `stalled`: the seats to attach to (`tmux attach -t <target>`), waiting
   * first, how long each has been in its state at `at`, and why.
   */
  attention?: SeatAtWork[];
  /** Only on `fleet.summary`: the transitions it stands for. */
  changes?: AlertEvent[];
}

/** A transition as the ledger records it; `since` and times are unix ms. */
export interface TransitionRecord {
  id: string;
  host: string;
  state: State;
  previous: State;
  reason: string | null;
  seats: number | null;
  minSeats: number;
  lastSeen: number | null;
  since: number;
  at: number;
  /** The seats that needed a person when the transition was recorded; since is unix ms. */
  attention: AttentionSeat[];
}

/** DESIGN §6: a transition's id is host + state + since, so every path that sees it names it alike. */
export function transitionId(host: string, state: State, since: number): string {
  return `${host}.${state}.${since}`;
}

export function reminderId(transition: string, n: number): string {
  return `${transition}.r${n}`;
}

/** The transition a host event's id names: its own, or the one a reminder or flapping notice repeats. */
export function transitionOf(eventId: string): string {
  return eventId.replace(/\.(?:r\d+|flapping)$/, "");
}

export function links(origin: string, host: string) {
  // `fleet` is a reserved id, not a host: its page is the status document.
  if (host === "fleet") return { host: `${origin}/v1/status`, badge: `${origin}/badge/fleet.svg` };
  const id = encodeURIComponent(host);
  return { host: `${origin}/v1/hosts/${id}`, badge: `${origin}/badge/${id}.svg` };
}

/** The states about seats at work, whose alerts say which seats. */
function namesSeats(state: State): boolean {
  return state === "waiting" || state === "stalled";
}

export function transitionEvent(t: TransitionRecord, origin: string, at = t.at): AlertEvent {
  const event: AlertEvent = {
    type: "host.transition",
    id: t.id,
    host: t.host,
    state: t.state,
    previous: t.previous,
    reason: t.reason,
    seats: t.seats,
    minSeats: t.minSeats,
    lastSeen: isoOrNull(t.lastSeen),
    since: iso(t.since),
    at: iso(at),
    links: links(origin, t.host),
  };
  if (namesSeats(t.state)) event.attention = seatsAt(t.attention, at);
  return event;
}

/** A reminder repeats its transition at `at`: the seats it names have waited that much longer. */
export function reminderEvent(t: TransitionRecord, n: number, at: number, origin: string): AlertEvent {
  return { ...transitionEvent(t, origin, at), type: "host.reminder", id: reminderId(t.id, n) };
}

/** The one notice a flapping host sends; its transition is the change that made it flapping. */
export function flappingEvent(t: TransitionRecord, origin: string): AlertEvent {
  return { ...transitionEvent(t, origin), type: "host.flapping", id: `${t.id}.flapping`, reason: "flapping" };
}

/** An event about the fleet rather than one host: no state, seats or times of its own. */
function fleetEvent(type: AlertEvent["type"], id: string, reason: string, at: number, origin: string): AlertEvent {
  return {
    type,
    id,
    host: "fleet",
    state: null,
    previous: null,
    reason,
    seats: null,
    minSeats: null,
    lastSeen: null,
    since: null,
    at: iso(at),
    links: links(origin, "fleet"),
  };
}

export function testEvent(name: string, at: number, origin: string): AlertEvent {
  return fleetEvent("test", `test.${name}.${at}`, "test", at, origin);
}

/** Alerting states read worse first, so a summary puts the worst news on top. */
const SEVERITY_ORDER: readonly State[] = [
  "error",
  "blind",
  "silent",
  "low",
  "waiting",
  "stalled",
  "up",
  "new",
  "paused",
];

/**
 * A summary's id names the transitions it stands for, not only its time: two summaries queued at
 * one instant (a run reporting in as holds fall due) must not collide in the outbox, whose
 * (id, webhook) uniqueness would silently drop the second. FNV-1a, because the outbox is filled
 * synchronously (no await for crypto.subtle) and this needs spread, not secrecy.
 */
function summaryId(changes: readonly AlertEvent[], at: number): string {
  let hash = 0x811c9dc5;
  for (const c of changes) {
    for (let i = 0; i < c.id.length; i++) hash = Math.imul(hash ^ c.id.charCodeAt(i), 0x01000193);
    hash = Math.imul(hash ^ 0x2c, 0x01000193);
  }
  return `fleet.summary.${at}.${(hash >>> 0).toString(16).padStart(8, "0")}`;
}

/** One event standing for many transitions of one cron run (DESIGN §6: no storm). */
export function summaryEvent(changes: AlertEvent[], at: number, origin: string): AlertEvent {
  const sorted = [...changes].sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.state ?? "up") - SEVERITY_ORDER.indexOf(b.state ?? "up") || a.host.localeCompare(b.host),
  );
  const down = sorted.filter((c) => c.state !== "up").length;
  const reason = `${changes.length} hosts changed: ${down} down or degraded, ${changes.length - down} recovered`;
  return { ...fleetEvent("fleet.summary", summaryId(sorted, at), reason, at, origin), changes: sorted };
}
