/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Uptime on the host page: the 24 h / 7 d / 30 d figures and a strip of the last 30 UTC days,
 * each day a cell whose colour is the uptime badge's band and whose title says the figures.
 * Colour is never the only signal: each figure is printed, each cell has its title and label.
 */
import type { FC } from "hono/jsx";
import { iso, shortDuration } from "../../protocol/time.ts";
import { UPTIME_NOTE, UPTIME_WINDOWS, type Uptime } from "./uptime.ts";
import { type StripDay, uptimeColor, uptimeText } from "./uptime-face.ts";

const WINDOW_NAMES: Record<keyof typeof UPTIME_WINDOWS, string> = {
  "24h": "24 hours",
  "7d": "7 days",
  "30d": "30 days",
};

/** `23h up, 1h down, 2h paused`: what a figure rests on, largest parts only. */
function breakdown(u: Uptime): string {
  const parts: [string, number][] = [
    ["up", u.upSeconds],
    ["low", u.lowSeconds],
    ["down", u.downSeconds],
    ["paused", u.pausedSeconds],
    ["not watched", u.unknownSeconds],
  ];
  return parts
    .filter(([, s]) => s > 0)
    .map(([name, s]) => `${shortDuration(s * 1000)} ${name}`)
    .join(", ");
}

function dayName(day: number): string {
  return iso(day).slice(0, 10);
}

export const UptimeFigures: FC<{ uptime: Record<keyof typeof UPTIME_WINDOWS, Uptime> }> = ({ uptime }) => (
  <ul class="uptime-figures">
    {(Object.keys(UPTIME_WINDOWS) as (keyof typeof UPTIME_WINDOWS)[]).map((w) => (
      <li class={`uptime-figure uptime-${uptimeColor(uptime[w].uptime)}`} data-window={w}>
        <span class="uptime-value">{uptimeText(uptime[w].uptime)}</span>
        <span class="muted small">
          {WINDOW_NAMES[w]}
          {breakdown(uptime[w]) ? ` · ${breakdown(uptime[w])}` : ""}
        </span>
      </li>
    ))}
  </ul>
);

export const UptimeStrip: FC<{ strip: StripDay[] }> = ({ strip }) => (
  <figure class="strip-figure">
    <ol class="strip" aria-label={`daily uptime, the last ${strip.length} days (UTC)`}>
      {strip.map(({ day, uptime }) => {
        const title = `${dayName(day)} (UTC): ${uptimeText(uptime.uptime)}${breakdown(uptime) ? ` · ${breakdown(uptime)}` : ""}`;
        return (
          <li class={`day uptime-${uptimeColor(uptime.uptime)}`} data-day={dayName(day)} title={title}>
            <span class="visually-hidden">{title}</span>
          </li>
        );
      })}
    </ol>
    <figcaption class="strip-axis muted small">
      <span>{strip[0] ? dayName(strip[0].day) : ""}</span>
      <span>days in UTC · {UPTIME_NOTE}</span>
      <span>today</span>
    </figcaption>
  </figure>
);
