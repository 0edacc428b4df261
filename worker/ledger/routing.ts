/**
 * Who hears what (DESIGN §6 routing), decided here, purely, for every message the ledger sends: a
 * webhook hears a host when the labels match and when its `states` name one of the states the
 * message is about. A move into a state is about that state; a recovery is about every state
 * receivers heard since the last recovery (so the pager that heard `silent` and the chat that
 * heard `low` both hear the host come back, and no one else does); a reminder is about the state
 * it repeats. A storm is summarised per webhook, from what that webhook hears.
 */
import type { State } from "../../protocol/verdict.ts";
import { type AlertEvent, summaryEvent } from "../alerts/event.ts";
import { matches, type Webhook } from "../alerts/webhooks.ts";

/** More than this many transitions announced at once become one `fleet.summary` per webhook (DESIGN §6). */
export const SUMMARY_THRESHOLD = 5;

/** What a message is about: the host's current labels and the states a webhook must hear for it. */
export interface Route {
  labels: readonly string[];
  states: readonly State[];
}

export type Listener = Pick<Webhook, "format" | "labels" | "states">;

export function hears(hook: Pick<Webhook, "labels" | "states">, route: Route): boolean {
  if (!matches(hook, route.labels)) return false;
  const filter = hook.states;
  return filter === null || route.states.some((s) => filter.includes(s));
}

/** An announced event and whom it is for. */
export interface Announced {
  event: AlertEvent;
  route: Route;
}

/** What one webhook is sent for events announced together: each on its own, or in a storm one summary. */
export function messagesFor(
  hook: Listener,
  announced: readonly Announced[],
  now: number,
  origin: string,
): AlertEvent[] {
  const events = announced.filter((a) => hears(hook, a.route)).map((a) => a.event);
  // PagerDuty and Opsgenie keep one incident per host (dedup_key, alias): a summary could never be
  // resolved by the hosts' recoveries, and both group a storm of alerts themselves.
  const perHost = hook.format === "pagerduty" || hook.format === "opsgenie";
  if (events.length > SUMMARY_THRESHOLD && !perHost) return [summaryEvent(events, now, origin)];
  return events;
}

/** The union of state lists, in first-seen order. */
export function union(...lists: readonly (readonly State[])[]): State[] {
  return [...new Set(lists.flat())];
}
