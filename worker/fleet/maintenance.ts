/**
 * Maintenance windows (DESIGN §6): recurring local times in an IANA zone, e.g. `mon-fri`
 * 22:00–06:00 in Europe/Berlin. Pure: the zone rules come from the platform's `Intl` (workerd and
 * Node carry ICU), `now` is passed in. A wall time that a DST change skips (02:30 on a
 * spring-forward night) moves forward by the gap, and one that happens twice takes the first —
 * Temporal's "compatible" rule — so a window on such a night is still a window.
 */
import type { FieldError } from "../../protocol/validation.ts";

export interface WindowSpec {
  /** Day names and ranges: `mon-fri`, `sat,sun`, `fri-mon`, `mon-sun`. The day the window starts on. */
  days: string;
  /** Local `HH:MM`; `to` ≤ `from` means the window ends the next day. */
  from: string;
  to: string;
  tz: string;
}

export interface WindowNow {
  inside: boolean;
  /** While inside: when this occurrence ends (unix ms). */
  endsAt: number | null;
  /** The end of the latest occurrence that ended at or before now (unix ms), within the past 8 days. */
  lastEnd: number | null;
}

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY_MS = 86_400_000;

/** The weekdays (0 = Sunday) a `days` string names, or null when it is malformed. */
export function parseDays(days: string): Set<number> | null {
  const out = new Set<number>();
  for (const part of days.toLowerCase().split(",")) {
    const [first, last, extra] = part.trim().split("-");
    const a = DAY_NAMES.indexOf(first as (typeof DAY_NAMES)[number]);
    const b = last === undefined ? a : DAY_NAMES.indexOf(last as (typeof DAY_NAMES)[number]);
    if (a < 0 || b < 0 || extra !== undefined) return null;
    for (let d = a; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === b) break;
    }
  }
  return out;
}

function zoneProblem(tz: string): string | null {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return null;
  } catch {
    return `tz ${JSON.stringify(tz.slice(0, 64))} is not an IANA time zone; use a name such as "Europe/Berlin" or "UTC"`;
  }
}

/** Every problem of a window's schedule fields, each naming its field. */
export function scheduleProblems(spec: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof spec.days !== "string" || spec.days.length > 64 || parseDays(spec.days) === null) {
    errors.push({
      field: "days",
      message: 'days must name days or ranges of mon, tue, wed, thu, fri, sat, sun, e.g. "mon-fri" or "sat,sun"',
    });
  }
  for (const field of ["from", "to"] as const) {
    if (typeof spec[field] !== "string" || !TIME_PATTERN.test(spec[field] as string)) {
      errors.push({ field, message: `${field} must be a local time HH:MM from 00:00 to 23:59` });
    }
  }
  if (typeof spec.tz !== "string") errors.push({ field: "tz", message: 'tz must be an IANA time zone such as "UTC"' });
  else {
    const problem = zoneProblem(spec.tz);
    if (problem) errors.push({ field: "tz", message: problem });
  }
  return errors;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's wall clock at `ms`, as if it were UTC (so differences are plain arithmetic). */
function wallAt(ms: number, tz: string): number {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  return Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
}

/** The instant a wall time (given as if UTC) happens in `tz`, by the compatible rule above. */
function instantOf(wall: number, tz: string): number {
  const before = wallAt(wall - DAY_MS, tz) - (wall - DAY_MS);
  const after = wallAt(wall + DAY_MS, tz) - (wall + DAY_MS);
  const matches = [wall - before, wall - after].filter((t) => wallAt(t, tz) === wall);
  // No match: the wall time falls in a gap; the offset from before the gap moves it forward by the gap.
  return matches.length > 0 ? Math.min(...matches) : wall - before;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h as number) * 60 + (m as number);
}

/** Where `now` stands against a (valid) window: inside or not, when it ends, when it last ended. */
export function windowAt(spec: WindowSpec, now: number): WindowNow {
  const days = parseDays(spec.days) ?? new Set<number>();
  const from = minutesOf(spec.from);
  let to = minutesOf(spec.to);
  if (to <= from) to += 24 * 60;
  const today = Math.floor(wallAt(now, spec.tz) / DAY_MS) * DAY_MS;
  let inside: number | null = null;
  let lastEnd: number | null = null;
  // Occurrences start on the window's days; yesterday's may still run past midnight.
  for (let date = today - 8 * DAY_MS; date <= today; date += DAY_MS) {
    if (!days.has(new Date(date).getUTCDay())) continue;
    const start = instantOf(date + from * 60_000, spec.tz);
    const end = instantOf(date + to * 60_000, spec.tz);
    if (start <= now && now < end) inside = end;
    else if (end <= now && (lastEnd === null || end > lastEnd)) lastEnd = end;
  }
  return { inside: inside !== null, endsAt: inside, lastEnd };
}
