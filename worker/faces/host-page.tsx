/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * One host's page (DESIGN §5, `GET /hosts/:id`): its state and since, seats, seat history, uptime,
 * the transitions timeline, servers, warnings, policy and badge snippets. Server-rendered with
 * hono/jsx like the dashboard, and with the same script and stylesheet, so it works with
 * JavaScript off and every stored string reaches the page as escaped text. Regions marked
 * `data-live` are refreshed in place by the dashboard's script.
 */
import type { FC } from "hono/jsx";
import type { BeatServer } from "../../protocol/beat.ts";
import type { Policy } from "../../protocol/policy.ts";
import { parseIso, shortDuration } from "../../protocol/time.ts";
import { SEVERITY } from "../../protocol/verdict.ts";
import type { HostTransition } from "../ledger/transitions.ts";
import { hostPath, Snippet, StateTag } from "./dashboard.tsx";
import type { HostPageData } from "./host-page-data.ts";
import { At, Updated, When } from "./local-time.tsx";
import { SeatChart } from "./seat-chart.tsx";
import { SeatList } from "./seat-list.tsx";
import { UptimeFigures, UptimeStrip } from "./uptime-strip.tsx";

export interface HostPageProps {
  data: HostPageData;
  /** The Worker's own origin, for badge snippets people paste elsewhere. */
  origin: string;
  badgesPublic: boolean;
  refreshSeconds: number;
}

const Head: FC<{ title: string; refresh?: number }> = ({ title, refresh }) => (
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <title>{title}</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
    <link rel="stylesheet" href="/dashboard.css" />
    <link rel="stylesheet" href="/host.css" />
    <script src="/dashboard.js" defer />
    {refresh ? (
      <noscript>
        <meta http-equiv="refresh" content={String(refresh)} />
      </noscript>
    ) : null}
  </head>
);

const Back: FC = () => (
  <nav class="crumbs">
    <a href="/">← seatwatch fleet</a>
  </nav>
);

const Warnings: FC<{ data: HostPageData }> = ({ data }) => (
  <section id="warnings" data-live aria-label="warnings">
    {data.warnings.length === 0 ? null : (
      <ul class="warnings">
        {data.warnings.includes("clock_skew") ? (
          <li class="warning" data-warning="clock_skew">
            <strong>clock_skew</strong>: the beacon's clock is{" "}
            {shortDuration(Math.abs(data.record?.clockOffsetMs ?? 0))}{" "}
            {(data.record?.clockOffsetMs ?? 0) > 0 ? "behind" : "ahead of"} the Worker's. Freshness uses the Worker's
            clock, so nothing is misjudged, but fix time sync on the host (e.g. <code>timedatectl set-ntp true</code>).
          </li>
        ) : null}
        {data.duplicate ? (
          <li class="warning" data-warning="duplicate_beacon">
            <strong>duplicate_beacon</strong>: {data.duplicate.message}. Last switch back{" "}
            <At ms={parseIso(data.duplicate.lastSwitchAt) ?? data.now} />.
          </li>
        ) : null}
      </ul>
    )}
  </section>
);

const Summary: FC<{ data: HostPageData }> = ({ data }) => {
  const { view, now, monitor } = data;
  return (
    <section id="state" data-live class={`host-summary sev-${SEVERITY[view.state]}`} aria-label="state">
      <p class="verdict">
        <StateTag state={view.state} /> {view.reason ? <span class="reason">{view.reason}</span> : null}
      </p>
      <dl class="facts">
        <dt>Since</dt>
        <dd>{view.since === null ? <span class="muted">unknown</span> : <At ms={view.since} />}</dd>
        <dt>Seats</dt>
        <dd class="num">
          <span class="seats">{view.seats ?? "–"}</span>
          <span class="muted"> / {view.minSeats} needed</span>
          {view.idle ? <span class="muted"> · {view.idle} idle</span> : null}
        </dd>
        <dt>Last beat</dt>
        <dd>
          <When ms={view.lastSeen} now={now} />
        </dd>
        <dt>Monitor</dt>
        <dd>
          {monitor.stale ? (
            <span class="bad-text">stale: the dead-man's switch has not run for 3 minutes</span>
          ) : (
            <span class="muted">running</span>
          )}
        </dd>
      </dl>
    </section>
  );
};

const Transition: FC<{ t: HostTransition; now: number }> = ({ t, now }) => {
  const since = parseIso(t.since) ?? now;
  return (
    <li class={`transition sev-${SEVERITY[t.state]}`} data-state={t.state}>
      <div class="transition-head">
        <span class="muted">{t.previous}</span> → <StateTag state={t.state} />
        {t.reason ? <span class="reason">{t.reason}</span> : null}
      </div>
      <div class="muted small">
        <At ms={since} /> (<When ms={since} now={now} />) ·{" "}
        {t.seats === null ? "no seats reported" : `${t.seats} / ${t.minSeats} seats`} ·{" "}
        <span class={t.announced ? "announced" : "not-announced"}>{t.announced ? "announced" : "not announced"}</span>
      </div>
    </li>
  );
};

const Timeline: FC<{ data: HostPageData }> = ({ data }) => (
  <section id="timeline" data-live aria-labelledby="timeline-title">
    <h2 id="timeline-title">Transitions</h2>
    {data.transitions.length === 0 ? (
      <p class="muted">No transitions in the last 30 days.</p>
    ) : (
      <ol class="timeline">
        {data.transitions.map((t) => (
          <Transition t={t} now={data.now} />
        ))}
      </ol>
    )}
    <p class="muted small">
      Newest first, the last {data.transitions.length} of 30 days. “Not announced”: pauses, <code>new → up</code> and
      states dropped by <code>alertAfter</code> are recorded but no webhook is told. All of them:{" "}
      <a href={`/v1/hosts/${encodeURIComponent(data.config.id)}/events`}>events JSON</a>.
    </p>
  </section>
);

const Server: FC<{ s: BeatServer }> = ({ s }) => (
  <tr class={s.error ? "server server-error" : "server"}>
    <th scope="row" data-label="Server" class="mono">
      pid {s.pid}
    </th>
    <td data-label="tmux" class="mono wrap">
      {s.exe} ({s.version})
    </td>
    <td data-label="Socket" class="mono wrap">
      {s.socket}
    </td>
    <td data-label="Panes" class="num">
      {s.panes} live · {s.dead} dead
    </td>
    <td data-label="Status" class="wrap">
      {s.error ? <span class="bad-text">{s.error}</span> : s.skipped ? "skipped (out of scope)" : "observed"}
    </td>
  </tr>
);

const Servers: FC<{ data: HostPageData }> = ({ data }) => {
  const beat = data.record?.beat;
  return (
    <section id="servers" data-live aria-labelledby="servers-title">
      <h2 id="servers-title">tmux servers</h2>
      {!beat ? (
        <p class="muted">No beat yet.</p>
      ) : beat.servers.length === 0 ? (
        <p class="muted">The last beat saw no tmux server{beat.reason ? ` (${beat.reason})` : ""}.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Server</th>
              <th scope="col">tmux</th>
              <th scope="col">Socket</th>
              <th scope="col">Panes</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {beat.servers.map((s) => (
              <Server s={s} />
            ))}
          </tbody>
        </table>
      )}
      {beat ? (
        <p class="muted small">
          Beacon {beat.beacon.version} on Node {beat.beacon.node}, uid {beat.beacon.uid}; instance{" "}
          <span class="mono">{beat.instance}</span>, beat #{beat.seq}.
        </p>
      ) : null}
    </section>
  );
};

function policyValue(key: keyof Policy, value: Policy[keyof Policy]) {
  if (key === "pausedUntil" && typeof value === "number") return <At ms={value} />;
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.join(", ");
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (value === null) return "—";
  return String(value);
}

const PolicyList: FC<{ policy: Policy }> = ({ policy }) => (
  <section aria-labelledby="policy-title">
    <h2 id="policy-title">Policy</h2>
    <dl class="facts policy">
      {(Object.keys(policy) as (keyof Policy)[]).map((key) => (
        <>
          <dt class="mono">{key}</dt>
          <dd>{policyValue(key, policy[key])}</dd>
        </>
      ))}
    </dl>
    <p class="muted small">
      Change it with <code>PATCH /v1/hosts/{"{id}"}</code> (admin) or <code>seatwatch hosts</code>.
    </p>
  </section>
);

export const HostPage: FC<HostPageProps> = ({ data, origin, badgesPublic, refreshSeconds }) => {
  const { config, view, record, now } = data;
  const id = config.id;
  const uptimeBadge = `/badge/${encodeURIComponent(id)}/uptime.svg`;
  return (
    <html lang="en">
      <Head title={`seatwatch · ${id}: ${view.state}`} refresh={refreshSeconds} />
      <body data-refresh={String(refreshSeconds)} class="host-page">
        <header>
          <Back />
          <h1>
            <span class="host-id">{id}</span>
            {view.labels.map((label) => (
              <span class="tag">{label}</span>
            ))}
          </h1>
          <Updated now={now} />
        </header>
        <main>
          <Summary data={data} />
          <Warnings data={data} />
          <section id="seats" data-live aria-labelledby="seats-title">
            <h2 id="seats-title">Seats</h2>
            <SeatList record={record} now={now} />
          </section>
          <section id="history" data-live aria-labelledby="history-title">
            <h2 id="history-title">Seat history</h2>
            <SeatChart history={record?.history ?? []} minSeats={view.minSeats} />
          </section>
          <section id="uptime" data-live aria-labelledby="uptime-title">
            <h2 id="uptime-title">Uptime</h2>
            <UptimeFigures uptime={data.uptime} />
            <UptimeStrip strip={data.strip} />
          </section>
          <Timeline data={data} />
          <Servers data={data} />
          <PolicyList policy={config.policy} />
          <details class="badges">
            <summary>Badge snippets</summary>
            {badgesPublic ? null : (
              <p class="bad-text">PUBLIC_BADGES=false: these badges load only with the read token.</p>
            )}
            <ul>
              <Snippet id={id} name="seats" origin={origin} link={hostPath(id)} />
              <Snippet
                id={`${id}-uptime`}
                name="uptime, 30 days"
                origin={origin}
                badge={uptimeBadge}
                alt={`${id} uptime`}
                link={hostPath(id)}
              />
            </ul>
            <p class="muted small">
              <code>?period=24h</code> or <code>7d</code> for a shorter window; <code>?style=for-the-badge</code> and{" "}
              <code>?label=</code> as on every badge.
            </p>
          </details>
          <p class="muted small">
            As JSON: <a href={`/v1/hosts/${encodeURIComponent(id)}`}>host detail</a> ·{" "}
            <a href={`/v1/hosts/${encodeURIComponent(id)}/events`}>events and uptime</a>
          </p>
        </main>
      </body>
    </html>
  );
};

/** An unknown host, or a path that cannot name one: a page that says so, sent with a 404. */
export const HostNotFound: FC<{ id: string; problem: string | null }> = ({ id, problem }) => (
  <html lang="en">
    <Head title="seatwatch · no such host" />
    <body class="host-page">
      <header>
        <Back />
        <h1>No such host</h1>
      </header>
      <main>
        <p class="empty">
          {problem ?? (
            <>
              No host <span class="host-id">{id}</span> is enrolled here. It may have been deleted, or the link has a
              typo.
            </>
          )}
        </p>
        <p>
          <a href="/">See every host on the fleet dashboard</a>, or enroll this one with{" "}
          <code>PUT /v1/hosts/{"{id}"}</code>.
        </p>
      </main>
    </body>
  </html>
);
