/**
 * The words every human-facing format shares (Slack, Discord, PagerDuty, ntfy), so a state reads
 * the same everywhere. Headlines are plain ASCII: ntfy carries them in an HTTP header, and header
 * values must be Latin-1.
 */

import { shortDuration } from "../../../protocol/time.ts";
import { SEVERITY, type State } from "../../../protocol/verdict.ts";
import type { AlertEvent } from "../event.ts";

/** down = blind/error/silent, degraded = low/waiting/stalled, ok = up; test and summary events have no state. */
export type Tone = "down" | "degraded" | "ok" | "info";

export function tone(state: State | null): Tone {
  if (state === null) return "info";
  const severity = SEVERITY[state];
  return severity === "down" || severity === "degraded" || severity === "ok" ? severity : "info";
}

/** A summary's tone is its worst change's. */
export function eventTone(event: AlertEvent): Tone {
  if (event.type !== "fleet.summary") return tone(event.state);
  const tones = (event.changes ?? []).map((c) => tone(c.state));
  if (tones.includes("down")) return "down";
  if (tones.includes("degraded")) return "degraded";
  return "ok";
}

/** What happened to the host, in one line: "gpu-7 is blind: 0 seats (needs 1)". */
export function stateLine(event: AlertEvent): string {
  switch (event.state) {
    case "blind":
      return `${event.host} is blind: 0 seats (needs ${event.minSeats ?? 1})`;
    case "low":
      return `${event.host} is low: ${event.seats ?? "?"} of ${event.minSeats ?? "?"} seats`;
    case "waiting": {
      // Seat targets are free text and a headline travels in an HTTP header (ntfy): they go in the body.
      const longest = event.attention?.find((s) => s.state === "waiting");
      return `${event.host} is waiting: a seat has waited ${longest ? shortDuration(longest.forSeconds * 1000) : "too long"} for a person`;
    }
    case "stalled":
      return event.reason === "seat_quiet"
        ? `${event.host} is stalled: a seat has been quiet ${shortDuration((event.attention?.[0]?.forSeconds ?? 0) * 1000)}`
        : `${event.host} is stalled: too few seats working`;
    case "error":
      return `${event.host} cannot observe: ${event.reason ?? "unknown"}`;
    case "silent":
      return `${event.host} is silent: no beat since ${event.lastSeen ?? "enrollment"}`;
    case "up":
      return `${event.host} is up again: ${event.seats ?? "?"} seats${event.previous ? ` (was ${event.previous})` : ""}`;
    default:
      return `${event.host} is ${event.state ?? "unknown"}`;
  }
}

export function headline(event: AlertEvent): string {
  switch (event.type) {
    case "host.transition":
      return stateLine(event);
    case "host.reminder":
      return `Still down: ${stateLine(event)}`;
    case "fleet.summary":
      return event.reason ?? "several hosts changed";
    case "test":
      return "seatwatch test alert: this webhook works";
  }
}

/** The seats a waiting or stalled alert names, one line each: where to attach, how long, why. */
export function seatLines(event: AlertEvent): string[] {
  return (event.attention ?? []).map((s) => `${s.target} ${s.state} ${shortDuration(s.forSeconds * 1000)} (${s.why})`);
}

/** One line per change of a summary, worst first (the ledger sorted them). */
export function changeLines(event: AlertEvent): string[] {
  return (event.changes ?? []).map(
    (c) => `${c.host}: ${c.previous ?? "?"} -> ${c.state}${c.reason ? ` (${c.reason})` : ""}`,
  );
}

/**
 * Joins lines into at most `max` characters, ending with a count of what did not fit, so a storm
 * of any size stays within a receiver's limit and still says how big it was.
 */
export function fitLines(lines: readonly string[], max: number): string {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const rest = lines.length - i - 1;
    const tail = rest > 0 ? `\n... and ${rest} more (GET /v1/status)`.length : 0;
    if (used + line.length + 1 + tail > max) {
      const more = `... and ${lines.length - i} more (GET /v1/status)`;
      out.push(more);
      return out.join("\n");
    }
    out.push(line);
    used += line.length + 1;
  }
  return out.join("\n");
}

/** Cuts a single string to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
