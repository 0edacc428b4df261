/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Seat history on the host page: the stored seat counts (the last HISTORY_LENGTH beats) as a step
 * chart in server-rendered SVG — seats hold from one beat to the next — so it reads with
 * JavaScript off. The axis times are HTML `<time>` elements below the chart, so they follow the
 * viewer's zone like every other time on the page.
 */
import type { FC } from "hono/jsx";
import { utcText } from "../../protocol/time.ts";
import type { SeatHistory } from "../fleet/history.ts";
import { At } from "./local-time.tsx";

const CHART = { width: 640, height: 160, left: 36, right: 8, top: 10, bottom: 10 } as const;

export const SeatChart: FC<{ history: SeatHistory; minSeats: number }> = ({ history, minSeats }) => {
  const first = history[0];
  const last = history[history.length - 1];
  if (!first || !last) return <p class="muted">No seat history yet: it starts with the first beat.</p>;
  const seats = history.map(([, s]) => s);
  const top = Math.max(1, minSeats, ...seats);
  const span = Math.max(1, last[0] - first[0]);
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  const x = (at: number) => (CHART.left + ((at - first[0]) / span) * plotWidth).toFixed(1);
  const y = (s: number) => (CHART.top + plotHeight - (s / top) * plotHeight).toFixed(1);
  // One beat draws a level line across; more draw steps, each count holding until the next beat.
  const path =
    history.length === 1
      ? `M${CHART.left},${y(first[1])} H${CHART.width - CHART.right}`
      : history.map(([at, s], i) => (i === 0 ? `M${x(at)},${y(s)}` : `H${x(at)} V${y(s)}`)).join(" ");
  const label = `seats from ${utcText(first[0])} to ${utcText(last[0])}: between ${Math.min(...seats)} and ${Math.max(...seats)}, now ${last[1]}${minSeats > 0 ? `, minimum ${minSeats}` : ""}`;
  const ticks = [...new Set([0, minSeats, top])];
  return (
    <figure class="chart">
      <svg
        class="seat-chart"
        viewBox={`0 0 ${CHART.width} ${CHART.height}`}
        width={CHART.width}
        height={CHART.height}
        role="img"
        aria-label={label}
      >
        <title>{label}</title>
        {ticks.map((t) => (
          <g class={t === minSeats && minSeats > 0 ? "tick tick-min" : "tick"}>
            <line x1={CHART.left} x2={CHART.width - CHART.right} y1={y(t)} y2={y(t)} />
            <text x={CHART.left - 6} y={y(t)} text-anchor="end" dominant-baseline="middle">
              {t === minSeats && minSeats > 0 ? `min ${t}` : String(t)}
            </text>
          </g>
        ))}
        <path class="seat-line" d={path} fill="none" stroke-width="2" />
        {history.map(([at, s]) => (
          <circle class="seat-point" cx={history.length === 1 ? CHART.left : x(at)} cy={y(s)} r="2.5">
            <title>{`${utcText(at)}: ${s} seat${s === 1 ? "" : "s"}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption class="muted small">
        {history.length} beat{history.length === 1 ? "" : "s"} from <At ms={first[0]} /> to <At ms={last[0]} />
      </figcaption>
      <details class="chart-numbers">
        <summary>The numbers</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Beat</th>
              <th scope="col">Seats</th>
            </tr>
          </thead>
          <tbody>
            {[...history].reverse().map(([at, s]) => (
              <tr>
                <td data-label="Beat">
                  <At ms={at} />
                </td>
                <td data-label="Seats" class="num">
                  {s}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
};
