/**
 * Gotify (https://gotify.net/api-docs): POST `<server>/message` with the application token in the
 * `X-Gotify-Key` header (not the URL, so it stays out of proxies' logs), body `{title, message,
 * priority, extras}`. Gotify documents no length limits; the message is still bounded (4,096
 * characters) so a storm cannot grow a notification without end. Priorities 0–10; Gotify's
 * Android client alerts loudly from 8.
 */
import type { AlertEvent } from "../event.ts";
import { eventTone, factLines, fitLines, headline, type Tone } from "./text.ts";

export const GOTIFY_MAX_MESSAGE = 4096;

const PRIORITY: Record<Tone, number> = { down: 8, degraded: 5, ok: 2, info: 2 };

export function gotifyRequest(event: AlertEvent, token: string): { headers: Record<string, string>; body: string } {
  return {
    headers: { "content-type": "application/json", "x-gotify-key": token },
    body: JSON.stringify({
      title: headline(event),
      message: fitLines(factLines(event), GOTIFY_MAX_MESSAGE),
      priority: PRIORITY[eventTone(event)],
      extras: { "client::notification": { click: { url: event.links.host } } },
    }),
  };
}
