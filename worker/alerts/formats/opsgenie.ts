/**
 * Opsgenie Alert API (https://docs.opsgenie.com/docs/alert-api): a move into a down or degraded
 * state creates an alert whose alias is the host (DESIGN §6), so a repeat folds into the open alert (Opsgenie
 * dedupes on alias) and the recovery closes exactly it (`POST <url>/<alias>/close?identifierType=alias`),
 * like PagerDuty's resolve. Auth is `Authorization: GenieKey <key>`. Limits: message ≤ 130
 * characters, alias ≤ 512, description ≤ 15,000, ≤ 20 tags of ≤ 50 characters, entity ≤ 512,
 * source ≤ 100; priorities P1–P5.
 */
import type { AlertEvent } from "../event.ts";
import { clip, eventTone, factLines, fitLines, headline, type Tone } from "./text.ts";

export const OPSGENIE_LIMITS = { message: 130, alias: 512, description: 15_000, tagLength: 50 } as const;

const PRIORITY: Record<Tone, string> = { down: "P1", degraded: "P3", ok: "P5", info: "P5" };

/** Host events share the host's alert; a test or a summary is an alert of its own. */
function alias(event: AlertEvent): string {
  const key = event.type.startsWith("host.") ? event.host : event.id;
  return clip(key, OPSGENIE_LIMITS.alias);
}

export function opsgenieRequest(
  event: AlertEvent,
  url: string,
  apiKey: string,
): { url: string; headers: Record<string, string>; body: string } {
  const headers = { "content-type": "application/json", authorization: `GenieKey ${apiKey}` };
  const base = url.replace(/\/+$/, "");
  if (event.type === "host.transition" && event.state === "up") {
    return {
      url: `${base}/${encodeURIComponent(alias(event))}/close?identifierType=alias`,
      headers,
      body: JSON.stringify({ source: "seatwatch", note: clip(headline(event), OPSGENIE_LIMITS.description) }),
    };
  }
  const tags = ["seatwatch", event.state ?? event.type].map((t) => t.slice(0, OPSGENIE_LIMITS.tagLength));
  return {
    url: base,
    headers,
    body: JSON.stringify({
      message: clip(headline(event), OPSGENIE_LIMITS.message),
      alias: alias(event),
      description: fitLines([...factLines(event), event.links.host], OPSGENIE_LIMITS.description),
      tags,
      entity: clip(event.host, 512),
      source: "seatwatch",
      priority: PRIORITY[eventTone(event)],
      details: { host: event.host, state: event.state ?? "", reason: event.reason ?? "", link: event.links.host },
    }),
  };
}
