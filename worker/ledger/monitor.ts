/**
 * The monitor watching itself (DESIGN §6): what the ledger keeps of each cron run, and how the read
 * faces are told whether the dead-man's switch can be trusted. Pure: `now` is passed in.
 */
import { iso } from "../../protocol/time.ts";

/** After 3 minutes without a cron run — or before the first — the monitor itself is down (DESIGN §6). */
export const STALE_AFTER_MS = 180_000;

/** What a cron run reports to the ledger when it has handed over every differing host it could. */
export interface CronRun {
  at: number;
  hostsEvaluated: number;
  /** Hosts handed to the ledger this run. */
  handed: number;
  /** Hosts that differed but did not fit this run; they come first next run. */
  carried: number;
  /** Where the next run resumes handing over when the last one did not fit (host id order). */
  cursor: string | null;
}

/** The last cron run as the ledger stores it. */
export interface MonitorRecord extends Omit<CronRun, "at"> {
  lastCronAt: number;
  alertsQueued: number;
}

/** The monitor as `/v1/status`, `/v1/check`, metrics and the dashboard show it. */
export interface Monitor {
  lastCronAt: string | null;
  hostsEvaluated: number;
  stale: boolean;
  undelivered: number;
}

export function monitorView(record: MonitorRecord | null, undelivered: number, now: number): Monitor {
  return {
    lastCronAt: record ? iso(record.lastCronAt) : null,
    hostsEvaluated: record?.hostsEvaluated ?? 0,
    stale: record === null || now - record.lastCronAt > STALE_AFTER_MS,
    undelivered,
  };
}
