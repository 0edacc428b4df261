/**
 * The monitor's own health for the read faces (metrics, dashboard): the ledger's record of the
 * dead-man's switch's cron runs and undelivered alerts, as /v1/status reports it. One Durable
 * Object request per page or scrape; badges do not ask (they show hosts, not the alerting).
 */
import type { Bindings } from "./env.ts";
import { ledgerStub } from "./ledger.ts";
import type { Monitor } from "./status.ts";

export function loadMonitor(env: Bindings, now: number): Promise<Monitor> {
  return ledgerStub(env).monitor(now);
}
