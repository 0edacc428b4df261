/**
 * Slack incoming webhooks (https://api.slack.com/messaging/webhooks): Block Kit `blocks` plus
 * `text`, which Slack shows in notifications and where blocks cannot render. Limits from Block
 * Kit's reference: a header's text ≤ 150 characters, a section's text ≤ 3,000, ≤ 10 fields of
 * ≤ 2,000 each, ≤ 50 blocks per message.
 */
import type { AlertEvent } from "../event.ts";
import { changeLines, clip, eventTone, fitLines, headline, seatLines, type Tone } from "./text.ts";

const SLACK_LIMITS = { header: 150, sectionText: 3000, fields: 10, fieldText: 2000, blocks: 50 } as const;

const EMOJI: Record<Tone, string> = {
  down: ":red_circle:",
  degraded: ":large_orange_circle:",
  ok: ":large_green_circle:",
  info: ":information_source:",
};

/** mrkdwn treats &, < and > as control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
function mrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function field(name: string, value: string) {
  return { type: "mrkdwn", text: clip(`*${name}*\n${mrkdwn(value)}`, SLACK_LIMITS.fieldText) };
}

export function slackBody(event: AlertEvent): Record<string, unknown> {
  const title = headline(event);
  const blocks: Record<string, unknown>[] = [
    {
      type: "header",
      text: { type: "plain_text", text: clip(`${EMOJI[eventTone(event)]} ${title}`, SLACK_LIMITS.header), emoji: true },
    },
  ];
  if (event.type === "fleet.summary") {
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: fitLines(changeLines(event).map(mrkdwn), SLACK_LIMITS.sectionText) },
    });
  } else if (event.type !== "test") {
    blocks.push({
      type: "section",
      fields: [
        field("State", `${event.state}${event.previous ? ` (was ${event.previous})` : ""}`),
        field("Seats", `${event.seats ?? "-"} (min ${event.minSeats ?? "-"})`),
        field("Reason", event.reason ?? "-"),
        field("Since", event.since ?? "-"),
      ],
    });
    const seats = seatLines(event);
    if (seats.length > 0) {
      const text = `*Attach to*\n${seats.map((line) => `\`${mrkdwn(line)}\``).join("\n")}`;
      blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(text, SLACK_LIMITS.sectionText) } });
    }
  }
  blocks.push({
    type: "context",
    elements: [
      { type: "mrkdwn", text: `<${event.links.host}|${mrkdwn(event.host)}> · ${mrkdwn(event.id)} · ${event.at}` },
    ],
  });
  return { text: title, blocks };
}
