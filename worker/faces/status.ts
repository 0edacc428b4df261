/**
 * The shapes of the read API (DESIGN §5): the status document, its text table for curl, the
 * 200/503 check answers and host detail. Pure functions of the fleet view and `now`.
 */

import { policyAnswer } from "../../protocol/answers.ts";
import { ago, iso, isoOrNull } from "../../protocol/time.ts";
import { isAlerting } from "../../protocol/verdict.ts";
import { duplicateBeacon } from "../fleet/duplicate.ts";
import type { BeatRecord, HostConfig } from "../fleet/records.ts";
import { countStates, type HostView, type StateCounts } from "../fleet/view.ts";
import type { Monitor } from "../ledger/monitor.ts";
import { activitySummary, activityText, seatListView } from "./seats.ts";

export function hostSummary(h: HostView, now: number) {
  return {
    id: h.id,
    state: h.state,
    reason: h.reason,
    seats: h.seats,
    minSeats: h.minSeats,
    lastSeen: isoOrNull(h.lastSeen),
    since: isoOrNull(h.since),
    labels: h.labels,
    warnings: h.warnings,
    activity: activitySummary(h, now),
    // Present while a window pauses the host: which, and when it ends (or ended, awaiting a beat).
    ...(h.maintenance ? { maintenance: { window: h.maintenance.name, endsAt: iso(h.maintenance.endsAt) } } : {}),
  };
}

export interface StatusDocument {
  generatedAt: string;
  monitor: Monitor;
  counts: StateCounts;
  hosts: ReturnType<typeof hostSummary>[];
}

export function statusDocument(hosts: readonly HostView[], monitor: Monitor, now: number): StatusDocument {
  return {
    generatedAt: iso(now),
    monitor,
    counts: countStates(hosts),
    hosts: [...hosts].sort((a, b) => a.id.localeCompare(b.id)).map((h) => hostSummary(h, now)),
  };
}

/**
 * An aligned table for `curl -H 'Accept: text/plain'`. Warnings come last, so a script reading the
 * columns before them by position keeps working.
 */
export function statusTable(doc: StatusDocument, hosts: readonly HostView[], now: number): string {
  const rows = [["HOST", "STATE", "SEATS", "MIN", "AT WORK", "LAST SEEN", "REASON", "WARNINGS"]];
  for (const h of [...hosts].sort((a, b) => a.id.localeCompare(b.id))) {
    rows.push([
      h.id,
      h.state,
      h.seats === null ? "-" : String(h.seats),
      String(h.minSeats),
      activityText(h, now),
      ago(h.lastSeen, now),
      h.reason ?? "-",
      h.warnings.length > 0 ? h.warnings.join(",") : "-",
    ]);
  }
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? "").length))) ?? [];
  const lines = rows.map((r) =>
    r
      .map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
  const counts = Object.entries(doc.counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`)
    .join(", ");
  const monitor = doc.monitor.stale ? "  monitor: STALE" : "";
  return `seatwatch ${doc.generatedAt}  ${counts || "no hosts"}${monitor}\n${lines.join("\n")}\n`;
}

export interface CheckAnswer {
  ok: boolean;
  text: string;
}

/** `/v1/check`: 503 when any host is down or low, when no host is enrolled, or when the monitor cannot be trusted. */
function monitorProblems(monitor: Monitor): string[] {
  const problems: string[] = [];
  if (monitor.stale) {
    problems.push(`monitor: stale (last cron run ${monitor.lastCronAt ?? "never"}): check the cron trigger`);
  }
  if (monitor.undelivered > 0) {
    problems.push(`alerts: ${monitor.undelivered} undelivered after all retries (GET /v1/webhooks)`);
  }
  return problems;
}

/**
 * `/v1/check`: 503 when any host is down or low, when nothing is watched (no host, or only new and
 * paused ones: "can't tell" is never green), or when the monitor itself cannot be trusted.
 */
export function fleetCheck(hosts: readonly HostView[], monitor: Monitor): CheckAnswer {
  const problems: string[] = [];
  if (hosts.length === 0) problems.push("no_hosts: no host is enrolled (PUT /v1/hosts/:id, then start a beacon)");
  else if (hosts.every((h) => h.state === "new" || h.state === "paused")) {
    problems.push("no_hosts: no host is watched yet (every host is new or paused): start a beacon on one");
  }
  for (const h of [...hosts].sort((a, b) => a.id.localeCompare(b.id))) {
    if (isAlerting(h.state)) problems.push(`${h.id}: ${h.state}${h.reason ? ` (${h.reason})` : ""}`);
  }
  problems.push(...monitorProblems(monitor));
  if (problems.length > 0) return { ok: false, text: `${problems.join("\n")}\n` };
  const up = hosts.filter((h) => h.state === "up").length;
  return { ok: true, text: `ok: ${up} up\n` };
}

/** `/v1/hosts/:id/check`: the same for one host; a host never seen is "can't tell", not green. */
export function hostCheck(h: HostView, monitor: Monitor): CheckAnswer {
  const problems: string[] = [];
  if (isAlerting(h.state)) problems.push(`${h.id}: ${h.state}${h.reason ? ` (${h.reason})` : ""}`);
  if (h.state === "new") problems.push(`${h.id}: new (never beat): start its beacon`);
  problems.push(...monitorProblems(monitor));
  if (problems.length > 0) return { ok: false, text: `${problems.join("\n")}\n` };
  const seats = h.seats === null ? "" : `, ${h.seats} seats`;
  return { ok: true, text: `ok: ${h.id} ${h.state}${seats}\n` };
}

export function hostDetail(
  config: HostConfig,
  keyRegistered: boolean,
  view: HostView,
  record: BeatRecord | null,
  now: number,
) {
  return {
    ...hostSummary(view, now),
    idle: view.idle,
    policy: policyAnswer(config.policy),
    keyRegistered,
    createdAt: config.createdAt,
    updatedAt: config.updatedAt,
    clockOffsetMs: record?.clockOffsetMs ?? null,
    /** Why `duplicate_beacon` is raised and what to do; null while it is not. */
    duplicateBeacon: duplicateBeacon(record, config.id, now),
    lastBeat: record
      ? {
          receivedAt: iso(record.lastSeen),
          ts: iso(record.beat.ts),
          seq: record.beat.seq,
          instance: record.beat.instance,
          observed: record.beat.observed,
          reason: record.beat.reason ?? null,
          seats: record.beat.seats,
          idle: record.beat.idle,
          commands: record.beat.commands,
          servers: record.beat.servers,
          binaries: record.beat.binaries ?? [],
          activity: record.beat.activity ?? null,
          beacon: record.beat.beacon,
        }
      : null,
    seatList: seatListView(record, now),
    history: (record?.history ?? []).map(([at, seats]) => ({ at: iso(at), seats })),
  };
}
