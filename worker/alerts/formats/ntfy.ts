/**
 * ntfy (https://docs.ntfy.sh/publish/): a plain-text message POSTed to the topic URL, with its
 * title, priority, tags and click-through link as ntfy's headers. ntfy turns a message over
 * 4,096 bytes into an attachment, so the body is cut below that: by characters, which is safe
 * because a summary is ASCII (host ids, states, reasons) and a host event's free text — at most five
 * seat lines of a clipped session name and a short `why` — stays far below it in any encoding.
 */
import type { AlertEvent } from "../event.ts";
import { changeLines, eventTone, fitLines, headline, seatLines, type Tone } from "./text.ts";

export const NTFY_MAX_BODY = 4096;

/** ntfy priorities: 5 urgent (long vibration), 4 high, 3 default, 2 low. */
const PRIORITY: Record<Tone, string> = { down: "5", degraded: "4", ok: "3", info: "2" };
/** The first tag that is an emoji short code becomes the notification's icon in ntfy. */
const EMOJI: Record<Tone, string> = {
  down: "rotating_light",
  degraded: "warning",
  ok: "white_check_mark",
  info: "bell",
};

export function ntfyRequest(event: AlertEvent): { headers: Record<string, string>; body: string } {
  const t = eventTone(event);
  const tags = [EMOJI[t], "seatwatch", event.state ?? event.type.replace(/^.*\./, "")];
  const lines =
    event.type === "fleet.summary"
      ? changeLines(event)
      : [
          `state: ${event.state ?? "-"}${event.previous ? ` (was ${event.previous})` : ""}`,
          `seats: ${event.seats ?? "-"} (min ${event.minSeats ?? "-"})`,
          `reason: ${event.reason ?? "-"}`,
          `since: ${event.since ?? "-"}`,
          ...seatLines(event).map((line) => `attach: ${line}`),
          `id: ${event.id}`,
        ];
  return {
    headers: {
      "content-type": "text/plain; charset=utf-8",
      title: headline(event),
      // A reminder is less news than the transition it repeats.
      priority: event.type === "host.reminder" ? "4" : PRIORITY[t],
      tags: tags.join(","),
      click: event.links.host,
    },
    body: fitLines(lines, NTFY_MAX_BODY),
  };
}
