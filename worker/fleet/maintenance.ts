/**
 * Maintenance windows (DESIGN §6): recurring local times in an IANA zone, e.g. `mon-fri`
 * 22:00–06:00 in Europe/Berlin. Pure: the zone rules come from the platform's `Intl` (workerd and
 * Node carry ICU), `now` is passed in. A wall time that a DST change skips (02:30 on a
 * spring-forward night) moves forward by the gap, and one that happens twice takes the first —
 * Temporal's "compatible" rule — so a window on such a night is still a window.
 */
import { HOST_ID_SCHEMA, hostIdProblem } from "../../protocol/host.ts";
import { type JsonSchema, matching } from "../../protocol/json-schema.ts";
import { isLabelList, LABEL_PATTERN, MAX_LABELS } from "../../protocol/policy.ts";
import type { FieldError, Validation } from "../../protocol/validation.ts";
import type { MaintenanceNow } from "../../protocol/verdict.ts";

export interface WindowSpec {
  /** Day names and ranges: `mon-fri`, `sat,sun`, `fri-mon`, `mon-sun`. The day the window starts on. */
  days: string;
  /** Local `HH:MM`; `to` ≤ `from` means the window ends the next day. */
  from: string;
  to: string;
  tz: string;
}

/** A named window as the API takes it: the schedule and the hosts it pauses (by id and/or label). */
export interface MaintenanceWindow extends WindowSpec {
  hosts: string[];
  labels: string[];
  note: string | null;
}

export interface WindowNow {
  inside: boolean;
  /** While inside: when this occurrence ends (unix ms). */
  endsAt: number | null;
  /** The end of the latest occurrence that ended at or before now (unix ms), within the past 8 days. */
  lastEnd: number | null;
  /** While outside: when the next occurrence starts (unix ms), within the next 8 days. */
  nextStart: number | null;
}

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY_MS = 86_400_000;
export const WINDOW_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** Enough for a rack or a team's hosts by id; more is what labels are for. */
const MAX_WINDOW_HOSTS = 100;
const MAX_NOTE = 200;
const MAX_DAYS_LENGTH = 64;

/**
 * A `PUT /v1/maintenance/:name` body as `GET /openapi.json` shows it; its properties are the fields
 * the validator accepts. Told in the descriptions, not expressed: the day names `days` may use and
 * that `tz` must be a zone the runtime knows.
 */
export const WINDOW_INPUT_SCHEMA = {
  type: "object",
  properties: {
    hosts: { type: "array", items: HOST_ID_SCHEMA, maxItems: MAX_WINDOW_HOSTS, description: "host ids it pauses" },
    labels: {
      type: "array",
      items: matching(LABEL_PATTERN),
      maxItems: MAX_LABELS,
      description: "it pauses hosts carrying any of these labels",
    },
    days: {
      type: "string",
      maxLength: MAX_DAYS_LENGTH,
      description: "the days an occurrence starts on: names and ranges of mon…sun, e.g. mon-fri, sat,sun, fri-mon",
    },
    from: { ...matching(TIME_PATTERN), description: "local HH:MM in tz" },
    to: { ...matching(TIME_PATTERN), description: "local HH:MM in tz; at or before from: the next day" },
    tz: { type: "string", description: "an IANA time zone, e.g. Europe/Berlin or UTC" },
    note: { type: ["string", "null"], maxLength: MAX_NOTE },
  },
  required: ["days", "from", "to", "tz"],
  additionalProperties: false,
  // A window pauses something: hosts and/or labels.
  anyOf: (["hosts", "labels"] as const).map(
    (field): JsonSchema => ({
      required: [field],
      properties: { [field]: { minItems: 1 } },
    }),
  ),
} satisfies JsonSchema & { properties: Record<keyof MaintenanceWindow, JsonSchema> };

const WINDOW_FIELDS = Object.keys(WINDOW_INPUT_SCHEMA.properties);

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
  if (typeof spec.days !== "string" || spec.days.length > MAX_DAYS_LENGTH || parseDays(spec.days) === null) {
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

/** A whole window as `PUT /v1/maintenance/:name` takes it, every problem naming its field. */
export function validateWindow(body: Record<string, unknown>): Validation<MaintenanceWindow> {
  const errors: FieldError[] = [];
  for (const key of Object.keys(body)) {
    if (!WINDOW_FIELDS.includes(key)) {
      errors.push({
        field: key,
        message: `unknown field ${JSON.stringify(key)}; window fields are ${WINDOW_FIELDS.join(", ")}`,
      });
    }
  }
  errors.push(...scheduleProblems(body));
  const hosts = body.hosts ?? [];
  if (!Array.isArray(hosts) || hosts.length > MAX_WINDOW_HOSTS || hosts.some((h) => hostIdProblem(h) !== null)) {
    errors.push({ field: "hosts", message: `hosts must be an array of at most ${MAX_WINDOW_HOSTS} host ids` });
  }
  const labels = body.labels ?? [];
  if (!isLabelList(labels)) {
    errors.push({
      field: "labels",
      message: `labels must be an array of at most ${MAX_LABELS} host labels ([a-z0-9_-]{1,32})`,
    });
  }
  if (Array.isArray(hosts) && Array.isArray(labels) && hosts.length === 0 && labels.length === 0) {
    errors.push({ field: "hosts", message: "a window needs hosts and/or labels: the hosts it pauses" });
  }
  const note = body.note ?? null;
  if (note !== null && (typeof note !== "string" || note.length > MAX_NOTE)) {
    errors.push({ field: "note", message: `note must be text of at most ${MAX_NOTE} characters` });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      hosts: hosts as string[],
      labels: labels as string[],
      days: body.days as string,
      from: body.from as string,
      to: body.to as string,
      tz: body.tz as string,
      note: note as string | null,
    },
  };
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
  let nextStart: number | null = null;
  // Occurrences start on the window's days; yesterday's may still run past midnight.
  for (let date = today - 8 * DAY_MS; date <= today + 8 * DAY_MS; date += DAY_MS) {
    if (!days.has(new Date(date).getUTCDay())) continue;
    const start = instantOf(date + from * 60_000, spec.tz);
    const end = instantOf(date + to * 60_000, spec.tz);
    if (start <= now && now < end) inside = end;
    else if (end <= now && (lastEnd === null || end > lastEnd)) lastEnd = end;
    else if (start > now && (nextStart === null || start < nextStart)) nextStart = start;
  }
  return { inside: inside !== null, endsAt: inside, lastEnd, nextStart: inside === null ? nextStart : null };
}

const memo = new Map<string, { at: number; until: number; value: WindowNow }>();

/**
 * `windowAt`, remembered until the next boundary (an end or a start), where nothing can change:
 * the beat path and every read face judge with windows, and ICU's zone arithmetic is the costly part.
 */
export function windowNow(spec: WindowSpec, now: number): WindowNow {
  const key = `${spec.days}|${spec.from}|${spec.to}|${spec.tz}`;
  const hit = memo.get(key);
  if (hit && hit.at <= now && now < hit.until) return hit.value;
  const value = windowAt(spec, now);
  if (memo.size > 1_000) memo.clear();
  memo.set(key, { at: now, until: value.endsAt ?? value.nextStart ?? now + DAY_MS, value });
  return value;
}

/** Whether `window` pauses the host `id` carrying `labels`. */
export function covers(
  window: Pick<MaintenanceWindow, "hosts" | "labels">,
  id: string,
  labels: readonly string[],
): boolean {
  return window.hosts.includes(id) || window.labels.some((l) => labels.includes(l));
}

/** Every window with its name, as the ledger mirrors them to KV. */
export type NamedWindow = MaintenanceWindow & { name: string };

/**
 * What the windows mean for one host at `now`: the window it is inside (the one ending last), else
 * the last one that ended (the verdict counts grace from there); null when no window covers it.
 */
export function maintenanceFor(
  windows: readonly NamedWindow[],
  id: string,
  labels: readonly string[],
  now: number,
): MaintenanceNow | null {
  let inside: MaintenanceNow | null = null;
  let ended: MaintenanceNow | null = null;
  for (const w of windows) {
    if (!covers(w, id, labels)) continue;
    const at = windowNow(w, now);
    if (at.inside && at.endsAt !== null && (inside === null || at.endsAt > inside.endsAt)) {
      inside = { name: w.name, inside: true, endsAt: at.endsAt };
    } else if (at.lastEnd !== null && (ended === null || at.lastEnd > ended.endsAt)) {
      ended = { name: w.name, inside: false, endsAt: at.lastEnd };
    }
  }
  return inside ?? ended;
}
