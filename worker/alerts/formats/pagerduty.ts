/**
 * PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/):
 * a move into a down state triggers, a recovery resolves. `dedup_key` is the host, so the
 * recovery resolves the very incident the failure opened, and a reminder re-triggers it (PagerDuty
 * folds it into the open incident) instead of paging for a new one.
 */
import type { AlertEvent } from "../event.ts";
import { clip, eventTone, headline, seatLines } from "./text.ts";

/** Events API v2: `payload.summary` ≤ 1,024 characters, `dedup_key` ≤ 255. */
export const PAGERDUTY_LIMITS = { summary: 1024, dedupKey: 255 } as const;

type Severity = "critical" | "error" | "warning" | "info";

const PAGERDUTY_SEVERITY = {
  down: "critical",
  degraded: "warning",
  ok: "info",
  info: "info",
} as const satisfies Record<string, Severity>;

/** Host events share the host's incident; a test (or a summary) is an incident of its own. */
function dedupKey(event: AlertEvent): string {
  const key = event.type.startsWith("host.") ? event.host : event.id;
  return key.slice(0, PAGERDUTY_LIMITS.dedupKey);
}

export function pagerdutyBody(event: AlertEvent, routingKey: string): Record<string, unknown> {
  if (event.type === "host.transition" && event.state === "up") {
    return { routing_key: routingKey, event_action: "resolve", dedup_key: dedupKey(event) };
  }
  const { links, ...details } = event;
  return {
    routing_key: routingKey,
    event_action: "trigger",
    dedup_key: dedupKey(event),
    payload: {
      // The summary is what the on-call person reads first: it names where to attach.
      summary: clip([headline(event), ...seatLines(event)].join("; attach "), PAGERDUTY_LIMITS.summary),
      source: event.host,
      severity: PAGERDUTY_SEVERITY[eventTone(event)],
      timestamp: event.at,
      class: event.state ?? event.type,
      custom_details: details,
    },
    links: [{ href: links.host, text: `seatwatch: ${event.host}` }],
    client: "seatwatch",
    client_url: links.host,
  };
}
