/**
 * `/metrics` in the Prometheus text exposition format 0.0.4 (DESIGN §5): exactly the gauges the
 * contract names, each with HELP and TYPE, samples sorted by host so scrapes diff cleanly.
 * Samples that have no value yet (seats of a host that never beat) are left out rather than
 * reported as 0, which would read as "observed nothing".
 */

import { version } from "../../package.json";
import { type ActivityRecord, STATES } from "../../protocol/verdict.ts";
import { forSeconds } from "../fleet/activity.ts";
import { countStates, type HostView } from "../fleet/view.ts";
import type { Monitor } from "../ledger/monitor.ts";

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type Labels = Record<string, string>;
type Sample = [labels: Labels, value: number];

/** Label values may hold any text: backslash, double quote and line feed are escaped (format spec). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function gauge(name: string, help: string, samples: Sample[]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`];
  for (const [labels, value] of samples) {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
    lines.push(`${name}${pairs.length ? `{${pairs.join(",")}}` : ""} ${value}`);
  }
  return lines.join("\n");
}

/**
 * Seats at work (DESIGN §3a), for hosts whose last beat reported activity; a host with an older
 * beacon has no sample rather than a 0 that would read as "nothing works".
 */
function activityGauges(hosts: readonly HostView[], now: number): string[] {
  const active = hosts.flatMap((h) => (h.activity === null ? [] : [{ id: h.id, a: h.activity }]));
  const per = (pick: (a: ActivityRecord) => number): Sample[] => active.map(({ id, a }) => [{ host: id }, pick(a)]);
  return [
    gauge(
      "seatwatch_seats_working",
      "Seats showing work (CPU, output or a working mark) in the host's last beat.",
      per((a) => a.working),
    ),
    gauge(
      "seatwatch_seats_waiting",
      "Seats waiting for a person's decision in the host's last beat.",
      per((a) => a.waiting),
    ),
    gauge(
      "seatwatch_seats_quiet",
      "Live seats with no sign of work in the host's last beat.",
      per((a) => a.quiet),
    ),
    gauge(
      "seatwatch_oldest_wait_seconds",
      "Seconds the host's longest-waiting seat has waited for a person; 0 when none waits.",
      per((a) => (a.waitingSince === null ? 0 : forSeconds(a.waitingSince, now))),
    ),
  ];
}

export function metricsText(fleet: readonly HostView[], monitor: Monitor, now: number): string {
  const hosts = [...fleet].sort((a, b) => a.id.localeCompare(b.id));
  const beating = hosts.filter((h) => h.lastSeen !== null);
  const counts = countStates(hosts);
  const lastCron = monitor.lastCronAt === null ? 0 : Date.parse(monitor.lastCronAt) / 1000;
  const families = [
    gauge(
      "seatwatch_seats",
      "Seats (live panes running an agent) the host's last beat observed.",
      beating.map((h) => [{ host: h.id }, h.seats ?? 0]),
    ),
    gauge(
      "seatwatch_min_seats",
      "Seats the host must show to be up (its minSeats policy).",
      hosts.map((h) => [{ host: h.id }, h.minSeats]),
    ),
    gauge(
      "seatwatch_idle_panes",
      "Live panes with an idle shell in the foreground in the host's last beat (not counted as seats).",
      beating.map((h) => [{ host: h.id }, h.idle ?? 0]),
    ),
    ...activityGauges(hosts, now),
    gauge(
      "seatwatch_host_state",
      "1 for the host's current state, 0 for every other state.",
      hosts.flatMap((h) => STATES.map((state): Sample => [{ host: h.id, state }, h.state === state ? 1 : 0])),
    ),
    gauge(
      "seatwatch_last_beat_age_seconds",
      "Seconds since the Worker accepted the host's last beat.",
      beating.map((h) => [{ host: h.id }, Math.max(0, now - (h.lastSeen ?? now)) / 1000]),
    ),
    gauge(
      "seatwatch_beacon_error",
      "1 while the host's last beat reports that the beacon could not observe, with its reason.",
      hosts.flatMap((h): Sample[] => (h.beaconError === null ? [] : [[{ host: h.id, reason: h.beaconError }, 1]])),
    ),
    gauge(
      "seatwatch_hosts",
      "Hosts in each state.",
      STATES.map((state) => [{ state }, counts[state]]),
    ),
    gauge(
      "seatwatch_monitor_last_cron_timestamp_seconds",
      "Unix time of the dead-man's switch's last cron run; 0 before its first.",
      [[{}, lastCron]],
    ),
    gauge(
      "seatwatch_last_beat_timestamp_seconds",
      "Unix time the Worker accepted the host's last beat (alert on time() minus this, not on the age gauge, when scrapes are sparse).",
      beating.map((h) => [{ host: h.id }, (h.lastSeen ?? 0) / 1000]),
    ),
    gauge(
      "seatwatch_alerts_undelivered",
      "Alert deliveries that exhausted their retries (GET /v1/webhooks lists them); above 0 /v1/check answers 503.",
      [[{}, monitor.undelivered]],
    ),
    gauge("seatwatch_build_info", "Always 1; the version label names the running Worker's release.", [
      [{ version }, 1],
    ]),
  ];
  return `${families.join("\n")}\n`;
}
