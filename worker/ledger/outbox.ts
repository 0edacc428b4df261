/**
 * The outbox (DESIGN §6): every delivery waits here until its receiver answers 2xx. A due row is
 * claimed before the first await, so overlapping alarms never send it twice; a failure is retried
 * with backoff (alerts/delivery.ts) and, after the last attempt, kept as undelivered until the
 * operator fixes the webhook.
 */
import { iso } from "../../protocol/time.ts";
import {
  DELIVERY_TIMEOUT_MS,
  MAX_ATTEMPTS,
  renderRequest,
  retryDelayMs,
  type SendResult,
  send,
} from "../alerts/delivery.ts";
import type { AlertEvent } from "../alerts/event.ts";
import type { Webhook } from "../alerts/webhooks.ts";

/** One alarm sends at most this many deliveries: under the Free plan's 50 subrequests per invocation. */
export const MAX_SENDS_PER_ALARM = 40;
/** Failed deliveries shown per webhook in GET /v1/webhooks; the count is always exact. */
const UNDELIVERED_SHOWN = 20;

interface OutboxRow extends Record<string, SqlStorageValue> {
  seq: number;
  message_id: string;
  webhook: string;
  event: string;
  status: "pending" | "undelivered";
  attempts: number;
  next_at: number;
  last_error: string | null;
  created_at: number;
}

export interface UndeliveredView {
  id: string;
  type: string;
  host: string;
  attempts: number;
  lastError: string | null;
  queuedAt: string;
}

export class Outbox {
  constructor(private readonly sql: SqlStorage) {}

  /** Queues `event` for `webhook` unless it already is (a retried flush); says whether it was queued. */
  enqueue(webhook: string, event: AlertEvent, now: number): boolean {
    // Due at once: `now` may be a cron run's scheduledTime, which can lie ahead of the alarm's clock.
    const due = Math.min(now, Date.now());
    return (
      this.sql.exec(
        `INSERT OR IGNORE INTO outbox (message_id, webhook, event, status, next_at, created_at)
         VALUES (?, ?, ?, 'pending', ?, ?)`,
        event.id,
        webhook,
        JSON.stringify(event),
        due,
        now,
      ).rowsWritten > 0
    );
  }

  /** Sends what is due to the webhooks in `hooks`; a delivery whose webhook is gone is dropped. */
  async deliver(hooks: ReadonlyMap<string, Webhook>, now: number): Promise<void> {
    const due = this.sql
      .exec<OutboxRow>(
        "SELECT * FROM outbox WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, seq LIMIT ?",
        now,
        MAX_SENDS_PER_ALARM,
      )
      .toArray();
    // Claimed before the first await, so an overlapping invocation cannot send the same row twice.
    for (const row of due) {
      this.sql.exec("UPDATE outbox SET next_at = ? WHERE seq = ?", now + DELIVERY_TIMEOUT_MS * 2, row.seq);
    }
    const results = await Promise.all(
      due.map(async (row): Promise<[OutboxRow, SendResult | null]> => {
        const hook = hooks.get(row.webhook);
        if (!hook) return [row, null];
        return [row, await send(await renderRequest(hook, JSON.parse(row.event) as AlertEvent, now))];
      }),
    );
    for (const [row, result] of results) this.settle(row, result, now);
  }

  private settle(row: OutboxRow, result: SendResult | null, now: number): void {
    if (result === null || result.ok) {
      this.sql.exec("DELETE FROM outbox WHERE seq = ?", row.seq);
      return;
    }
    const attempts = row.attempts + 1;
    if (attempts >= MAX_ATTEMPTS) {
      this.sql.exec(
        "UPDATE outbox SET status = 'undelivered', attempts = ?, last_error = ? WHERE seq = ?",
        attempts,
        result.error,
        row.seq,
      );
    } else {
      this.sql.exec(
        "UPDATE outbox SET attempts = ?, last_error = ?, next_at = ? WHERE seq = ?",
        attempts,
        result.error,
        now + retryDelayMs(attempts),
        row.seq,
      );
    }
  }

  /** When the next pending delivery falls due; null when nothing waits. */
  nextDue(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT min(next_at) AS at FROM outbox WHERE status = 'pending'").one()
      .at;
  }

  /** Deliveries that exhausted their retries, across every webhook: `monitor.undelivered`. */
  undeliveredCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE status = 'undelivered'").one().n;
  }

  /** One webhook's backlog as GET /v1/webhooks shows it, newest failures first. */
  backlog(webhook: string): { pending: number; undeliveredCount: number; undelivered: UndeliveredView[] } {
    const counts = this.sql
      .exec<{ status: string; n: number }>(
        "SELECT status, count(*) AS n FROM outbox WHERE webhook = ? GROUP BY status",
        webhook,
      )
      .toArray();
    const undelivered = this.sql
      .exec<OutboxRow>(
        "SELECT * FROM outbox WHERE webhook = ? AND status = 'undelivered' ORDER BY seq DESC LIMIT ?",
        webhook,
        UNDELIVERED_SHOWN,
      )
      .toArray()
      .map((row) => {
        const event = JSON.parse(row.event) as AlertEvent;
        return {
          id: row.message_id,
          type: event.type,
          host: event.host,
          attempts: row.attempts,
          lastError: row.last_error,
          queuedAt: iso(row.created_at),
        };
      });
    return {
      pending: counts.find((c) => c.status === "pending")?.n ?? 0,
      undeliveredCount: counts.find((c) => c.status === "undelivered")?.n ?? 0,
      undelivered,
    };
  }

  /** The operator has looked at `webhook` and fixed it: its undelivered alerts stop counting. */
  acknowledge(webhook: string): void {
    this.sql.exec("DELETE FROM outbox WHERE webhook = ? AND status = 'undelivered'", webhook);
  }

  /** A deleted webhook's deliveries go with it. */
  drop(webhook: string): void {
    this.sql.exec("DELETE FROM outbox WHERE webhook = ?", webhook);
  }
}
