/**
 * What a badge says (DESIGN §5): one host's verdict, or the fleet's, as a shields-style
 * label | message in a colour. Rendering lives in badge-svg.ts; the shields endpoint JSON is here.
 */

import { shortDuration } from "../../protocol/time.ts";
import { countStates, type HostView } from "../fleet/view.ts";
import type { BadgeColor, BadgeContent } from "./badge-svg.ts";

export const HOST_LABEL = "seats";
export const FLEET_LABEL = "fleet";
/** A `?label=` longer than this is cut: a badge is a glance, and the text costs render time. */
export const MAX_LABEL_CHARS = 64;

export type BadgeFace = Omit<BadgeContent, "label">;

export const UNKNOWN_FACE: BadgeFace = { message: "unknown", color: "grey" };

export function hostFace(host: HostView, now: number): BadgeFace {
  const seats = host.seats ?? 0;
  switch (host.state) {
    case "up":
      return { message: `${seats} up`, color: "brightgreen" };
    case "low":
      return { message: `${seats}/${host.minSeats} low`, color: "orange" };
    case "waiting":
      return { message: `${host.activity?.waiting ?? 0} waiting`, color: "orange" };
    case "stalled":
      return { message: `${host.activity?.working ?? 0}/${seats} working`, color: "orange" };
    case "blind":
      return { message: `${seats} blind`, color: "red" };
    case "error":
      return { message: "error", color: "red" };
    case "silent":
      return {
        message: host.lastSeen === null ? "silent" : `silent ${shortDuration(now - host.lastSeen)}`,
        color: "red",
      };
    case "paused":
      return { message: "paused", color: "lightgrey" };
    case "new":
      return { message: "new", color: "blue" };
  }
}

/**
 * The worst of the watched hosts (neither new nor paused), counted in hosts: `5 up`,
 * `1/5 low`, `1/5 waiting`, `1/5 stalled`, `2/5 down`. A fleet of only new or paused hosts says so; no hosts at all is
 * `no hosts` in grey, never green.
 */
export function fleetFace(hosts: readonly HostView[]): BadgeFace {
  const n = countStates(hosts);
  const down = n.blind + n.error + n.silent;
  const watched = down + n.low + n.waiting + n.stalled + n.up;
  if (down > 0) return { message: `${down}/${watched} down`, color: "red" };
  // Degraded states read in the verdict's order: too few seats, then seats waiting, then seats idle.
  for (const state of ["low", "waiting", "stalled"] as const) {
    if (n[state] > 0) return { message: `${n[state]}/${watched} ${state}`, color: "orange" };
  }
  if (n.up > 0) return { message: `${n.up} up`, color: "brightgreen" };
  if (n.new > 0) return { message: "new", color: "blue" };
  if (n.paused > 0) return { message: "paused", color: "lightgrey" };
  return { message: "no hosts", color: "grey" };
}

/** `?label=` when given (empty hides the label, as on shields.io), else the default. */
export function badgeLabel(query: string | undefined, fallback: string): string {
  if (query === undefined) return fallback;
  return Array.from(query.trim()).slice(0, MAX_LABEL_CHARS).join("");
}

/** The shields.io endpoint schema, exactly: https://shields.io/badges/endpoint-badge */
export interface ShieldsEndpoint {
  schemaVersion: 1;
  label: string;
  message: string;
  color: BadgeColor;
}

export function shieldsEndpoint(content: BadgeContent): ShieldsEndpoint {
  return { schemaVersion: 1, label: content.label, message: content.message, color: content.color };
}
