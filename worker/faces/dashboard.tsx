/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * The HTML dashboard (DESIGN §5, `GET /`): the fleet at a glance, server-rendered with hono/jsx
 * so it works with JavaScript off. Every dynamic value goes through JSX, which escapes text and
 * attributes, so a host's reason can never become markup. Regions marked `data-live` are what
 * dashboard.js swaps in place on refresh.
 */
import type { FC } from "hono/jsx";
import { ago, iso, shortDuration, utcText } from "../../protocol/time.ts";
import { SEVERITY, type Severity, STATES } from "../../protocol/verdict.ts";
import type { SeatHistory } from "../fleet/history.ts";
import { countStates, type HostView } from "../fleet/view.ts";
import type { Monitor } from "../ledger/monitor.ts";
import { fleetFace } from "./badge.ts";
import { Updated, When } from "./local-time.tsx";

/** Problems first, then healthy hosts, then the ones nobody needs to look at. */
const SEVERITY_ORDER: Record<Severity, number> = { down: 0, degraded: 1, ok: 2, pending: 3, muted: 4 };

export interface DashboardData {
  hosts: readonly HostView[];
  histories: ReadonlyMap<string, SeatHistory>;
  monitor: Monitor;
  now: number;
  /** The Worker's own origin, for badge snippets people paste elsewhere. */
  origin: string;
  refreshSeconds: number;
  /** False when PUBLIC_BADGES=false and READ_TOKEN is set: pasted badges would not load. */
  badgesPublic: boolean;
}

/** Every host's page (GET /hosts/:id). */
export function hostPath(id: string): string {
  return `/hosts/${encodeURIComponent(id)}`;
}

/** A maintenance window's end: when it ends, or that it ended and the host has not beaten since. */
const WindowEnd: FC<{ ms: number; now: number }> = ({ ms, now }) => (
  <span class="muted window-end">
    {" · "}
    <time datetime={iso(ms)} title={utcText(ms)}>
      {ms > now ? `ends in ${shortDuration(ms - now)}` : `ended ${ago(ms, now)}, awaiting a beat`}
    </time>
  </span>
);

const SPARK = { width: 120, height: 28, pad: 2 } as const;

/** Seats over the stored history as an inline SVG line, with minSeats dashed for reference. */
export const Sparkline: FC<{ history: SeatHistory | undefined; minSeats: number }> = ({ history, minSeats }) => {
  if (!history || history.length === 0) return <span class="muted">no history</span>;
  const first = history[0]?.[0] ?? 0;
  const last = history[history.length - 1]?.[0] ?? first;
  const span = Math.max(1, last - first);
  const seats = history.map(([, s]) => s);
  const top = Math.max(1, minSeats, ...seats);
  const x = (at: number) => SPARK.pad + ((at - first) / span) * (SPARK.width - 2 * SPARK.pad);
  const y = (s: number) => SPARK.height - SPARK.pad - (s / top) * (SPARK.height - 2 * SPARK.pad);
  const points =
    history.length === 1
      ? `${SPARK.pad},${y(seats[0] ?? 0)} ${SPARK.width - SPARK.pad},${y(seats[0] ?? 0)}`
      : history.map(([at, s]) => `${x(at).toFixed(1)},${y(s).toFixed(1)}`).join(" ");
  const label =
    history.length === 1
      ? `seats at the one beat so far: ${seats[0]}`
      : `seats over the last ${shortDuration(last - first)}: from ${Math.min(...seats)} to ${Math.max(...seats)}, now ${seats[seats.length - 1]}`;
  return (
    <svg
      class="spark"
      width={SPARK.width}
      height={SPARK.height}
      viewBox={`0 0 ${SPARK.width} ${SPARK.height}`}
      role="img"
      aria-label={label}
    >
      <title>{label}</title>
      {minSeats > 0 ? (
        <line
          class="spark-min"
          x1={SPARK.pad}
          x2={SPARK.width - SPARK.pad}
          y1={y(minSeats)}
          y2={y(minSeats)}
          stroke-dasharray="3 3"
        />
      ) : null}
      <polyline class="spark-line" points={points} fill="none" stroke-width="1.5" stroke-linejoin="round" />
    </svg>
  );
};

export const StateTag: FC<{ state: HostView["state"] }> = ({ state }) => (
  <span class={`state state-${state} sev-${SEVERITY[state]}`}>{state}</span>
);

/**
 * Seats at work: working · waiting · quiet, then the waiting seats as tmux targets with how long,
 * so the operator knows where to attach. Nothing from an older beacon, which does not say.
 */
export const SeatsAtWork: FC<{ host: HostView; now: number }> = ({ host, now }) => {
  const a = host.activity;
  if (a === null) return null;
  const waits = host.attention.filter((s) => s.state === "waiting");
  return (
    <>
      <span class="work">
        <span class="working">{a.working} working</span>
        {" · "}
        <span class={a.waiting > 0 ? "waiting" : "muted"}>{a.waiting} waiting</span>
        {" · "}
        <span class="muted">{a.quiet} quiet</span>
      </span>
      {waits.length > 0 ? (
        <ul class="waits" aria-label="waiting seats">
          {waits.map((s) => (
            <li title={s.why}>
              <code>{s.target}</code> waiting {shortDuration(now - s.since)}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
};

const HostRow: FC<{ host: HostView; history: SeatHistory | undefined; now: number }> = ({ host, history, now }) => (
  <tr class={`host sev-${SEVERITY[host.state]}`} id={`host-${host.id}`} data-state={host.state}>
    <th scope="row" data-label="Host">
      <a class="host-id" href={hostPath(host.id)}>
        {host.id}
      </a>
      {host.labels.map((label) => (
        <span class="tag">{label}</span>
      ))}
    </th>
    <td data-label="State">
      <StateTag state={host.state} />
    </td>
    <td data-label="Seats" class="num">
      <span>
        <span class="seats">{host.seats ?? "–"}</span>
        <span class="muted"> / {host.minSeats}</span>
        {host.idle ? <span class="muted idle"> · {host.idle} idle</span> : null}
      </span>
      <SeatsAtWork host={host} now={now} />
    </td>
    <td data-label="History">
      <Sparkline history={history} minSeats={host.minSeats} />
    </td>
    <td data-label="Last seen">
      <When ms={host.lastSeen} now={now} />
    </td>
    <td data-label="Reason" class="reason">
      {host.reason ?? ""}
      {host.maintenance ? <WindowEnd ms={host.maintenance.endsAt} now={now} /> : null}
      {host.warnings.map((warning) => (
        <span class="tag warning" title="how this host reports is suspect: see its page">
          {warning}
        </span>
      ))}
    </td>
  </tr>
);

const Summary: FC<{ hosts: readonly HostView[] }> = ({ hosts }) => {
  const counts = countStates(hosts);
  const face = fleetFace(hosts);
  const fresh = (h: HostView) => SEVERITY[h.state] === "ok" || SEVERITY[h.state] === "degraded";
  const seats = hosts.reduce((sum, h) => sum + (fresh(h) ? (h.seats ?? 0) : 0), 0);
  return (
    <section id="summary" data-live class={`summary face-${face.color}`} aria-label="fleet summary">
      <p class="verdict">
        <strong>{face.message}</strong>
        <span class="muted">
          {" "}
          · {hosts.length} host{hosts.length === 1 ? "" : "s"} · {seats} seat{seats === 1 ? "" : "s"} seen
        </span>
      </p>
      <ul class="counts">
        {STATES.filter((s) => counts[s] > 0).map((s) => (
          <li class={`state state-${s} sev-${SEVERITY[s]}`}>
            {counts[s]} {s}
          </li>
        ))}
      </ul>
    </section>
  );
};

const MonitorHealth: FC<{ monitor: Monitor; now: number }> = ({ monitor, now }) => {
  const last = monitor.lastCronAt === null ? null : Date.parse(monitor.lastCronAt);
  const problem = monitor.stale || monitor.undelivered > 0;
  return (
    <section id="monitor" data-live class={problem ? "monitor bad" : "monitor"} aria-label="monitor health">
      <strong>Monitor</strong> {monitor.stale ? <span class="state state-silent sev-down">stale</span> : null}{" "}
      {last === null ? (
        <span>the dead-man's switch has not run yet</span>
      ) : (
        <span>
          last cron run <When ms={last} now={now} />, {monitor.hostsEvaluated} hosts evaluated
        </span>
      )}
      {" · "}
      <span class={monitor.undelivered > 0 ? "bad-text" : ""}>
        {monitor.undelivered} undelivered alert{monitor.undelivered === 1 ? "" : "s"}
      </span>
    </section>
  );
};

interface SnippetProps {
  /** Unique on the page: names the inputs the copy buttons read. */
  id: string;
  name: string;
  origin: string;
  /** The badge's path; a host's seats badge unless given. */
  badge?: string;
  alt?: string;
  /** Where the pasted badge links to: the fleet unless given. */
  link?: string;
}

export const Snippet: FC<SnippetProps> = ({ id, name, origin, ...given }) => {
  const path = given.badge ?? `/badge/${encodeURIComponent(id)}.svg`;
  const badge = `${origin}${path}`;
  const alt = given.alt ?? (id === "fleet" ? "seatwatch fleet" : `seatwatch ${id}`);
  const link = `${origin}${given.link ?? "/"}`;
  const markdown = `[![${alt}](${badge})](${link})`;
  const htmlSnippet = `<a href="${link}"><img alt="${alt}" src="${badge}"></a>`;
  return (
    <li class="snippet">
      <div class="snippet-head">
        <span class="host-id">{name}</span>
        <img src={path} alt={`${alt} badge`} height="20" />
      </div>
      <label>
        Markdown
        <input id={`md-${id}`} readonly value={markdown} />
      </label>
      <button type="button" data-copy={`md-${id}`}>
        Copy
      </button>
      <label>
        HTML
        <input id={`html-${id}`} readonly value={htmlSnippet} />
      </label>
      <button type="button" data-copy={`html-${id}`}>
        Copy
      </button>
    </li>
  );
};

function sorted(hosts: readonly HostView[]): HostView[] {
  return [...hosts].sort(
    (a, b) => SEVERITY_ORDER[SEVERITY[a.state]] - SEVERITY_ORDER[SEVERITY[b.state]] || a.id.localeCompare(b.id),
  );
}

export function pageTitle(hosts: readonly HostView[]): string {
  return `seatwatch · ${fleetFace(hosts).message}`;
}

export const Dashboard: FC<{ data: DashboardData }> = ({ data }) => {
  const { hosts, histories, monitor, now, origin } = data;
  const rows = sorted(hosts);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{pageTitle(hosts)}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/dashboard.css" />
        <script src="/dashboard.js" defer />
        <noscript>
          <meta http-equiv="refresh" content={String(data.refreshSeconds)} />
        </noscript>
      </head>
      <body data-refresh={String(data.refreshSeconds)}>
        <header>
          <h1>seatwatch</h1>
          <Updated now={now} />
        </header>
        <main>
          <Summary hosts={hosts} />
          <MonitorHealth monitor={monitor} now={now} />
          <section id="fleet" data-live aria-label="hosts">
            {rows.length === 0 ? (
              <p class="empty">
                No hosts enrolled yet. Enroll one with <code>PUT /v1/hosts/:id</code> and start its beacon.
              </p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Host</th>
                    <th scope="col">State</th>
                    <th scope="col">Seats / min</th>
                    <th scope="col">History</th>
                    <th scope="col">Last seen</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((host) => (
                    <HostRow host={host} history={histories.get(host.id)} now={now} />
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <details class="badges">
            <summary>Badge snippets</summary>
            {data.badgesPublic ? null : (
              <p class="bad-text">PUBLIC_BADGES=false: these badges load only with the read token.</p>
            )}
            <ul>
              <Snippet id="fleet" name="fleet" origin={origin} />
              {[...hosts]
                .sort((a, b) => a.id.localeCompare(b.id))
                .map((h) => (
                  <Snippet id={h.id} name={h.id} origin={origin} />
                ))}
            </ul>
          </details>
        </main>
      </body>
    </html>
  );
};
