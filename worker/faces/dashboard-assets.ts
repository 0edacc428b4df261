/**
 * The dashboard's stylesheet and script, served from their own routes so the page's CSP needs
 * neither inline scripts nor inline styles. Small enough to ship inside the Worker (no CDN, no
 * asset pipeline).
 */

/** State colours carry text too (the state name is always printed): colour is never the only signal. */
export const DASHBOARD_CSS = `
:root {
  --bg: #fff; --fg: #1b1f23; --muted: #6a737d; --line: #e1e4e8; --card: #f6f8fa;
  --ok: #2a8a0a; --degraded: #b45309; --down: #c62828; --pending: #0366d6; --muted-state: #6a737d;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #8b949e; --line: #30363d; --card: #161b22;
    --ok: #3fb950; --degraded: #f0883e; --down: #ff6b6b; --pending: #58a6ff; --muted-state: #8b949e;
  }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 1rem; background: var(--bg); color: var(--fg); }
header { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: .5rem; }
h1 { margin: 0; font-size: 1.4rem; }
.muted { color: var(--muted); }
.offline-note { display: none; color: var(--down); }
body.offline .offline-note { display: inline; }
.summary { margin: 1rem 0 .5rem; padding: .75rem 1rem; border-radius: 8px; background: var(--card); border-left: 6px solid var(--muted-state); }
.summary.face-brightgreen { border-left-color: var(--ok); }
.summary.face-orange { border-left-color: var(--degraded); }
.summary.face-red { border-left-color: var(--down); }
.summary.face-blue { border-left-color: var(--pending); }
.verdict { margin: 0 0 .4rem; font-size: 1.15rem; }
.counts { display: flex; flex-wrap: wrap; gap: .4rem; margin: 0; padding: 0; list-style: none; }
.monitor { margin: .5rem 0 1rem; color: var(--muted); }
.monitor.bad, .bad-text { color: var(--down); }
table { width: 100%; border-collapse: collapse; }
th, td { padding: .5rem .6rem; text-align: left; border-bottom: 1px solid var(--line); vertical-align: middle; }
thead th { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
tr.host > th { font-weight: 600; border-left: 4px solid transparent; }
tr.sev-ok > th { border-left-color: var(--ok); }
tr.sev-degraded > th { border-left-color: var(--degraded); }
tr.sev-down > th { border-left-color: var(--down); }
tr.sev-down { background: color-mix(in srgb, var(--down) 7%, transparent); }
tr.sev-pending > th { border-left: 4px dashed var(--pending); }
tr.sev-muted > th { border-left: 4px dotted var(--muted-state); }
tr.sev-muted, tr.sev-pending { color: var(--muted); }
.host-id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.tag { display: inline-block; margin-left: .35rem; padding: 0 .35rem; font-size: .75rem; font-weight: 400; border: 1px solid var(--line); border-radius: 4px; color: var(--muted); }
.state { display: inline-block; min-width: 4.2em; padding: .1rem .5rem; border-radius: 999px; font-size: .85rem; font-weight: 600; text-align: center; color: #fff; }
.state.sev-ok { background: var(--ok); }
.state.sev-degraded { background: var(--degraded); }
.state.sev-down { background: var(--down); }
.state.sev-pending { color: var(--pending); background: transparent; border: 2px dashed var(--pending); }
.state.sev-muted { color: var(--muted-state); background: transparent; border: 2px dotted var(--muted-state); }
.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.seats { font-weight: 600; }
.work { display: block; font-size: .85rem; }
.work .waiting { color: var(--degraded); font-weight: 600; }
.waits { margin: .2rem 0 0; padding: 0; list-style: none; font-size: .8rem; white-space: normal; }
.waits code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.reason { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; word-break: break-word; }
.spark { display: block; color: var(--fg); }
.spark-line { stroke: currentColor; }
.spark-min { stroke: var(--muted); stroke-width: 1; }
tr.sev-down .spark { color: var(--down); }
tr.sev-degraded .spark { color: var(--degraded); }
time { text-decoration: underline dotted var(--muted); }
.empty { padding: 2rem; text-align: center; background: var(--card); border-radius: 8px; }
.badges { margin-top: 1.5rem; }
.badges summary { cursor: pointer; font-weight: 600; }
.badges ul { padding: 0; list-style: none; }
.snippet { display: grid; grid-template-columns: 1fr auto; gap: .3rem .5rem; align-items: end; padding: .75rem 0; border-bottom: 1px solid var(--line); }
.snippet-head { grid-column: 1 / -1; display: flex; gap: .75rem; align-items: center; }
.snippet label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); }
.snippet input { width: 100%; font: .8rem ui-monospace, SFMono-Regular, Menlo, monospace; padding: .3rem; color: var(--fg); background: var(--card); border: 1px solid var(--line); border-radius: 4px; }
button { font: inherit; font-size: .85rem; padding: .3rem .7rem; border-radius: 4px; border: 1px solid var(--line); background: var(--card); color: var(--fg); cursor: pointer; }
@media (max-width: 640px) {
  body { padding: .6rem; }
  thead { display: none; }
  table, tbody, tr, th, td { display: block; width: 100%; }
  tr.host { margin-bottom: .75rem; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
  tr.host > th { border-left-width: 6px; }
  td { display: flex; justify-content: space-between; align-items: center; gap: 1rem; border-bottom: none; padding: .3rem .6rem; }
  td::before { content: attr(data-label); flex: none; color: var(--muted); font-size: .8rem; }
  td.reason { text-align: right; }
  td.reason:empty { display: none; }
}
`;

/**
 * Refreshes the `data-live` regions in place (fetch, parse, swap): no full reload, so no flash,
 * and an open <details> or a selection elsewhere survives. Pauses while the tab is hidden so an
 * idle tab costs no KV lists; `<noscript>` meta refresh covers browsers without JavaScript.
 */
export const DASHBOARD_JS = `"use strict";
(() => {
  const seconds = Math.max(5, Number(document.body.dataset.refresh) || 30);
  let timer;
  function schedule() {
    clearTimeout(timer);
    if (!document.hidden) timer = setTimeout(refresh, seconds * 1000);
  }
  async function refresh() {
    try {
      const res = await fetch(location.href, { headers: { accept: "text/html" }, cache: "no-store" });
      if (!res.ok) throw new Error("HTTP " + res.status);
      const next = new DOMParser().parseFromString(await res.text(), "text/html");
      for (const live of document.querySelectorAll("[data-live]")) {
        const fresh = next.getElementById(live.id);
        if (!fresh) continue;
        // A <details> the reader opened inside a region stays open across the swap.
        const open = Array.from(live.querySelectorAll("details"), (d) => d.open);
        fresh.querySelectorAll("details").forEach((d, i) => { if (open[i]) d.open = true; });
        live.replaceWith(document.importNode(fresh, true));
      }
      document.title = next.title;
      document.body.classList.remove("offline");
    } catch {
      document.body.classList.add("offline");
    }
    schedule();
  }
  document.addEventListener("visibilitychange", () => (document.hidden ? clearTimeout(timer) : refresh()));
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-copy]");
    if (!button) return;
    const input = document.getElementById(button.dataset.copy);
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Press Ctrl+C";
    }
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });
  schedule();
})();
`;

/** A tab icon, so browsers do not ask for /favicon.ico (a 404 on every load). */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#2a8a0a"/><rect x="3" y="3" width="4" height="4" rx="1" fill="#fff"/><rect x="9" y="3" width="4" height="4" rx="1" fill="#fff"/><rect x="3" y="9" width="4" height="4" rx="1" fill="#fff"/><rect x="9" y="9" width="4" height="4" rx="1" fill="#fff" fill-opacity=".4"/></svg>`;
