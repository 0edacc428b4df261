/**
 * Maintenance windows (DESIGN §6): `PUT /v1/maintenance/:name {hosts?, labels?, days, from, to, tz,
 * note?}`; `GET /v1/maintenance` lists `{maintenance: [{name, ...window}]}` (like `/v1/hosts` and
 * `/v1/webhooks`) and `DELETE` answers 204; older Workers answer 404 (no maintenance API).
 * These checks are the CLI's own, so a bad window in a fleet file is refused before any write.
 */
import { hostIdProblem } from "../protocol/host.ts";
import { labelsProblem } from "./policy.ts";

export interface Window {
  hosts?: string[];
  labels?: string[];
  days: string;
  from: string;
  to: string;
  tz: string;
  note?: string;
}

export const WINDOW_FIELDS = ["hosts", "labels", "days", "from", "to", "tz", "note"] as const;
export type WindowField = (typeof WINDOW_FIELDS)[number];

export const WINDOW_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const DAY = "(?:mon|tue|wed|thu|fri|sat|sun)";
const DAYS_PATTERN = new RegExp(`^${DAY}(?:-${DAY})?(?:,${DAY}(?:-${DAY})?)*$`);
const TIME_PATTERN = /^(?:[01]\d|2[0-3]):[0-5]\d$/;
const MAX_NOTE = 200;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Why `value` cannot be the window's `field`, or null. */
export function windowFieldProblem(field: WindowField, value: unknown): string | null {
  switch (field) {
    case "hosts": {
      if (!Array.isArray(value)) return "must be a list of host ids";
      const bad = value.find((id) => hostIdProblem(id) !== null);
      return bad === undefined ? null : `entries must be host ids (got ${JSON.stringify(bad)})`;
    }
    case "labels":
      return labelsProblem(value);
    case "days":
      return typeof value === "string" && DAYS_PATTERN.test(value)
        ? null
        : `must be day names and ranges such as "mon-fri" or "sat,sun" (got ${JSON.stringify(value)})`;
    case "from":
    case "to":
      return typeof value === "string" && TIME_PATTERN.test(value)
        ? null
        : `must be a local time "HH:MM", quoted in YAML (got ${JSON.stringify(value)})`;
    case "tz":
      return typeof value === "string" && isTimeZone(value)
        ? null
        : `must be an IANA time zone such as "Europe/Berlin" or "UTC" (got ${JSON.stringify(value)})`;
    case "note":
      return typeof value === "string" && value.length <= MAX_NOTE
        ? null
        : `must be text of at most ${MAX_NOTE} characters`;
  }
}

export const REQUIRED_WINDOW_FIELDS: readonly WindowField[] = ["days", "from", "to", "tz"];
