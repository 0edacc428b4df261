/**
 * Times are unix milliseconds inside both programs and ISO 8601 only at the edges (DESIGN §4, §5):
 * this is the one place they are formatted for people and parsed from them.
 */

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|([+-])(\d{2}):(\d{2}))$/i;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * A full ISO 8601 date-time with its zone (`Z` or `±hh:mm`), as unix ms; null for anything else.
 * `Date.parse` alone takes "0" (the year 2000), bare dates, zoneless times (read in whatever zone
 * the runtime has) and six-digit years, and rolls impossible fields over (February 30th is March
 * 2nd, 24:00 the next day): for a time that decides when alerts resume, only an unambiguous one
 * will do. Years 1970–9999; offsets up to ±14:00, the widest any zone uses.
 */
export function parseIsoDateTime(text: unknown): number | null {
  if (typeof text !== "string") return null;
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return null;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, , offsetHours = 0, offsetMinutes = 0] = m
    .slice(1)
    .map((part) => (part === undefined ? 0 : Number(part)));
  const fits =
    year >= 1970 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysIn(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetMinutes <= 59 &&
    offsetHours * 60 + offsetMinutes <= 14 * 60;
  return fits ? parseIso(text) : null;
}

/** Unix ms of an ISO 8601 time as `Date.parse` reads it, or null when it cannot. */
export function parseIso(text: unknown): number | null {
  if (typeof text !== "string") return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** `2026-11-25 13:00:00 UTC`: a tooltip's exact time, read by people rather than programs. */
export function utcText(ms: number): string {
  return `${iso(ms).replace("T", " ").slice(0, 19)} UTC`;
}

/** `14m`, `3h`, `2d`: a span at badge width, in its largest whole unit. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** `14m ago`, or `never` before the first time. */
export function ago(ms: number | null, now: number): string {
  return ms === null ? "never" : `${shortDuration(now - ms)} ago`;
}
