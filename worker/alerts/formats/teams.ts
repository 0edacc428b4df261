/**
 * Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request is
 * received"; the Office 365 connectors it replaces are retired): a `message` whose one attachment
 * is an Adaptive Card (schema 1.4, which Teams renders everywhere). Teams refuses messages over
 * about 28 KB, so the card's facts are bounded well below that (16,000 characters); the card
 * carries no markup from the event (TextBlock text is Markdown-lite: host names and reasons are
 * escaped).
 */
import type { AlertEvent } from "../event.ts";
import { changeLines, eventTone, fitLines, headline, type Tone } from "./text.ts";

export const TEAMS_MAX_TEXT = 16_000;

/** Adaptive Card TextBlock colours. */
const COLOR: Record<Tone, string> = { down: "Attention", degraded: "Warning", ok: "Good", info: "Default" };

/**
 * TextBlocks render a Markdown subset (emphasis, links, lists): escape only what could start one of
 * those in our text. Teams' mobile clients have shown backslash escapes literally
 * (microsoft/AdaptiveCards#5590), so escaping every punctuation mark would litter each host name
 * and time with backslashes; snake_case reasons are safe unescaped (an underscore inside a word is
 * never emphasis).
 */
function plain(text: string): string {
  return text.replace(/([\\`*[\]])/g, "\\$1");
}

export function teamsBody(event: AlertEvent): Record<string, unknown> {
  const facts =
    event.type === "fleet.summary" || event.type === "test"
      ? []
      : [
          { title: "State", value: plain(`${event.state}${event.previous ? ` (was ${event.previous})` : ""}`) },
          { title: "Seats", value: `${event.seats ?? "-"} (min ${event.minSeats ?? "-"})` },
          { title: "Reason", value: plain(event.reason ?? "-") },
          { title: "Since", value: event.since ?? "-" },
        ];
  const body: Record<string, unknown>[] = [
    {
      type: "TextBlock",
      text: plain(headline(event)),
      weight: "Bolder",
      size: "Medium",
      wrap: true,
      color: COLOR[eventTone(event)],
    },
  ];
  if (facts.length > 0) body.push({ type: "FactSet", facts });
  if (event.type === "fleet.summary") {
    body.push({ type: "TextBlock", text: fitLines(changeLines(event).map(plain), TEAMS_MAX_TEXT), wrap: true });
  }
  body.push({ type: "TextBlock", text: plain(`${event.id} · ${event.at}`), isSubtle: true, size: "Small", wrap: true });
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body,
          actions: [{ type: "Action.OpenUrl", title: `Open ${event.host} in seatwatch`, url: event.links.host }],
        },
      },
    ],
  };
}
