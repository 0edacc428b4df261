/**
 * Discord webhooks (https://discord.com/developers/docs/resources/webhook#execute-webhook): one
 * embed. Discord refuses a message outright when an embed breaks a limit, so every field is cut to
 * fit: title ≤ 256, description ≤ 4,096, ≤ 25 fields (name ≤ 256, value ≤ 1,024), footer ≤ 2,048,
 * and all of them together ≤ 6,000 characters.
 */
import type { AlertEvent } from "../event.ts";
import { changeLines, clip, eventTone, fitLines, headline, seatLines, type Tone } from "./text.ts";

const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
} as const;

/** Embed side colours (decimal RGB): red, orange, green, grey. */
const COLOUR: Record<Tone, number> = { down: 0xd93f0b, degraded: 0xfbca04, ok: 0x2ea44f, info: 0x8b949e };

export interface DiscordEmbed {
  title: string;
  url: string;
  description?: string;
  color: number;
  fields: { name: string; value: string; inline: boolean }[];
  timestamp: string;
  footer: { text: string };
}

/** The characters Discord counts towards an embed's 6,000. */
function embedLength(embed: DiscordEmbed): number {
  return (
    embed.title.length +
    (embed.description?.length ?? 0) +
    embed.footer.text.length +
    embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

function field(name: string, value: string) {
  return { name, value: clip(value, DISCORD_LIMITS.fieldValue), inline: true };
}

export function discordBody(event: AlertEvent): { username: string; embeds: DiscordEmbed[] } {
  const embed: DiscordEmbed = {
    title: clip(headline(event), DISCORD_LIMITS.title),
    url: event.links.host,
    color: COLOUR[eventTone(event)],
    fields: [],
    timestamp: event.at,
    footer: { text: clip(event.id, DISCORD_LIMITS.footer) },
  };
  if (event.type === "fleet.summary") {
    const room = Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.total - embedLength(embed));
    embed.description = fitLines(changeLines(event), room);
  } else if (event.type !== "test") {
    embed.fields = [
      field("State", `${event.state}${event.previous ? ` (was ${event.previous})` : ""}`),
      field("Seats", `${event.seats ?? "-"} (min ${event.minSeats ?? "-"})`),
      field("Reason", event.reason ?? "-"),
      field("Since", event.since ?? "-"),
    ];
    const seats = seatLines(event);
    if (seats.length > 0) embed.fields.push({ ...field("Attach to", seats.join("\n")), inline: false });
  }
  return { username: "seatwatch", embeds: [embed] };
}
