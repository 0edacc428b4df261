/**
 * The host page's stylesheet (`/host.css`), on top of the dashboard's: served from its own route
 * so the CSP needs no inline styles. Uptime colours are the uptime badge's own (badge-svg.ts), so
 * a strip cell and the badge for the same day agree.
 */
import { BADGE_COLORS } from "./badge-svg.ts";

const UPTIME_BANDS = ["brightgreen", "green", "yellow", "red"] as const;

export const HOST_CSS = `
${UPTIME_BANDS.map((band) => `.uptime-${band} { --uptime: ${BADGE_COLORS[band]}; }`).join("\n")}
.crumbs { flex-basis: 100%; font-size: .9rem; }
.host-page h1 { display: flex; flex-wrap: wrap; align-items: baseline; gap: .2rem; }
.host-page h2 { margin: 1.6rem 0 .5rem; font-size: 1.1rem; }
.host-page a { color: var(--pending); }
.host-summary { margin: 1rem 0 .5rem; padding: .75rem 1rem; border-radius: 8px; background: var(--card); border-left: 6px solid var(--muted-state); }
.host-summary.sev-ok { border-left-color: var(--ok); }
.host-summary.sev-degraded { border-left-color: var(--degraded); }
.host-summary.sev-down { border-left-color: var(--down); }
.host-summary.sev-pending { border-left: 6px dashed var(--pending); }
.host-summary .reason { margin-left: .5rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .5rem 0 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.wrap { overflow-wrap: anywhere; word-break: break-word; }
.small { font-size: .85rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.warnings { margin: .5rem 0; padding: 0; list-style: none; }
.warning { margin: .4rem 0; padding: .6rem .8rem; border-radius: 6px; border-left: 4px solid var(--degraded); background: color-mix(in srgb, var(--degraded) 10%, transparent); overflow-wrap: anywhere; }
.seat-state { display: inline-block; padding: .05rem .45rem; border-radius: 4px; font-size: .85rem; font-weight: 600; border: 1px solid var(--line); }
.seat-state-waiting { color: #fff; background: var(--degraded); border-color: var(--degraded); }
.seat-state-working { color: var(--ok); border-color: var(--ok); }
.seat-state-quiet { color: var(--muted); }
.chart { margin: 0; }
.seat-chart { display: block; width: 100%; height: auto; max-width: 640px; color: var(--fg); }
.seat-chart .tick line { stroke: var(--line); stroke-width: 1; }
.seat-chart .tick-min line { stroke: var(--degraded); stroke-dasharray: 4 4; }
.seat-chart text { fill: var(--muted); font-size: 11px; }
.seat-line { stroke: currentColor; }
.seat-point { fill: currentColor; }
.chart-numbers summary { cursor: pointer; font-size: .85rem; color: var(--muted); }
.uptime-figures { display: flex; flex-wrap: wrap; gap: .5rem; margin: 0 0 .75rem; padding: 0; list-style: none; }
.uptime-figure { display: flex; flex-direction: column; min-width: 8rem; padding: .4rem .75rem; border-radius: 6px; background: var(--card); border-left: 6px solid var(--uptime, var(--line)); }
.uptime-value { font-size: 1.3rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.strip-figure { margin: 0; }
.strip { display: grid; grid-template-columns: repeat(30, minmax(0, 1fr)); gap: 2px; margin: 0; padding: 0; list-style: none; }
.day { height: 28px; border-radius: 2px; background: var(--uptime, var(--line)); }
.strip-axis { display: flex; justify-content: space-between; gap: .5rem; margin-top: .25rem; }
.timeline { margin: 0; padding: 0; list-style: none; border-left: 2px solid var(--line); }
.transition { position: relative; margin: 0 0 .6rem; padding: .1rem 0 .1rem .9rem; }
.transition-head { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem; }
.transition .reason { overflow-wrap: anywhere; }
.not-announced { font-style: italic; }
.seats-table th { font-weight: 600; }
.server-error th { color: var(--down); }
.policy dt { font-size: .85rem; }
.host-page .empty { text-align: left; }
@media (max-width: 640px) {
  .strip { gap: 1px; }
  .strip-axis span:nth-child(2) { display: none; }
  .facts { grid-template-columns: 1fr; }
  .facts dt { margin-top: .3rem; }
  tr.seat, tr.server { margin-bottom: .75rem; border: 1px solid var(--line); border-radius: 8px; }
  td.wrap { text-align: right; }
}
`;
