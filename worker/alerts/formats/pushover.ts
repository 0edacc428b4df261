/**
 * Pushover Message API (https://pushover.net/api): `token` (the application's) and `user` (the
 * user or group key) with each message; limits: message ≤ 1,024 characters, title ≤ 250,
 * url ≤ 512, url_title ≤ 100. Priority 1 (high) bypasses quiet hours for down states; 2
 * (emergency) is left out on purpose, as it needs acknowledgement settings seatwatch does not own.
 */
import type { AlertEvent } from "../event.ts";
import { clip, eventTone, factLines, fitLines, headline, type Tone } from "./text.ts";

export const PUSHOVER_LIMITS = { message: 1024, title: 250, url: 512, urlTitle: 100 } as const;

const PRIORITY: Record<Tone, number> = { down: 1, degraded: 0, ok: -1, info: -1 };

export function pushoverBody(event: AlertEvent, token: string, user: string): Record<string, unknown> {
  const link = event.links.host.length <= PUSHOVER_LIMITS.url ? { url: event.links.host, url_title: "seatwatch" } : {};
  return {
    token,
    user,
    title: clip(headline(event), PUSHOVER_LIMITS.title),
    message: fitLines(factLines(event), PUSHOVER_LIMITS.message),
    priority: PRIORITY[eventTone(event)],
    timestamp: Math.floor(Date.parse(event.at) / 1000),
    ...link,
  };
}
