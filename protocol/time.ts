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

/** Unix ms of an ISO 8601 time, or null when `text` is not one. */
/**
 * A full ISO 8601 date-time with its zone (`Z` or `±hh:mm`), as unix ms; null for anything else.
 * `Date.parse` alone takes "0" (the year 2000), bare dates, zoneless times (read in whatever zone
 * the runtime has) and six-digit years: for a time that decides when alerts resume, only an
 * unambiguous one will do.
 */
export function parseIsoDateTime(text: unknown): number | null {
  if (
    typeof text !== "string" ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)
  ) {
    return null;
  }
  return parseIso(text);
}

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
