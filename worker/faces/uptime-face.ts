/**
 * How uptime looks (DESIGN §5): the percentage people read, its colour band, the uptime badge's
 * face and the host page's 30-day strip. Pure: changes and `now` are passed in; the arithmetic is
 * uptime.ts's.
 */
import type { BadgeFace } from "./badge.ts";
import type { BadgeColor } from "./badge-svg.ts";
import { type StateChange, UPTIME_WINDOWS, type Uptime, uptime } from "./uptime.ts";

export const UPTIME_LABEL = "uptime";

export type UptimePeriod = keyof typeof UPTIME_WINDOWS;
export const UPTIME_PERIODS = Object.keys(UPTIME_WINDOWS) as UptimePeriod[];
const DEFAULT_UPTIME_PERIOD: UptimePeriod = "30d";

/** Shown when a window holds no monitored time: nothing was watched, so no figure (never 100%). */
const NO_UPTIME = "—";

const DAY_MS = 86_400_000;
/** Days in the host page's strip: the ledger keeps transitions for 30 days (DESIGN §6). */
const STRIP_DAYS = 30;

/**
 * Uptime in hundredths of a percent, rounded down, so the printed figure never overstates it and
 * its colour band always agrees with the digits shown (99.899…% reads 99.89%, green, not 99.90%).
 * The epsilon absorbs binary fractions such as 0.9995 × 10000 = 9994.999….
 */
function hundredths(ratio: number): number {
  return Math.floor(ratio * 10_000 + 1e-6);
}

/** `100%`, `99.95%`, `0.00%`, or `—` when nothing was monitored. */
export function uptimeText(ratio: number | null): string {
  if (ratio === null) return NO_UPTIME;
  const h = hundredths(ratio);
  return h === 10_000 ? "100%" : `${(h / 100).toFixed(2)}%`;
}

/** DESIGN §5's bands: ≥ 99.9 brightgreen, ≥ 99 green, ≥ 95 yellow, else red; grey when unmonitored. */
export function uptimeColor(ratio: number | null): BadgeColor {
  if (ratio === null) return "grey";
  const h = hundredths(ratio);
  if (h >= 9_990) return "brightgreen";
  if (h >= 9_900) return "green";
  if (h >= 9_500) return "yellow";
  return "red";
}

export function uptimeFace(ratio: number | null): BadgeFace {
  return { message: uptimeText(ratio), color: uptimeColor(ratio) };
}

/** `?period=`: absent means the default; anything else but the three windows is refused. */
export function uptimePeriod(query: string | undefined): UptimePeriod | null {
  if (query === undefined) return DEFAULT_UPTIME_PERIOD;
  return UPTIME_PERIODS.find((p) => p === query) ?? null;
}

export interface StripDay {
  /** Unix ms of the UTC midnight that starts the day. */
  day: number;
  uptime: Uptime;
}

/**
 * One entry per UTC calendar day, oldest first, the last being today so far. UTC rather than the
 * viewer's zone: the page is rendered on the server and must read the same without JavaScript.
 * The days lie inside the ledger's 30-day window, since today's midnight is less than a day ago.
 */
export function uptimeStrip(changes: readonly StateChange[], now: number, days = STRIP_DAYS): StripDay[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return Array.from({ length: days }, (_, i) => {
    const day = today - (days - 1 - i) * DAY_MS;
    return { day, uptime: uptime(changes, day, Math.min(day + DAY_MS, now)) };
  });
}
