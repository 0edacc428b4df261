/**
 * The outbox (DESIGN §6): every delivery waits here until its receiver answers 2xx. A due row is
 * claimed before its send, so overlapping alarms never send it twice; a failure is retried with
 * backoff (alerts/delivery.ts) and, after the last attempt, kept as undelivered (the newest 100 per
 * webhook) until the operator fixes the webhook. Sends run a few at a time, at most one per webhook,
 * each result recorded as it arrives, and a row queued while they run joins at once: one hung
 * receiver holds one slot for its timeout however long its backlog, never another receiver's news.
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
import { type AlertEvent, transitionOf } from "../alerts/event.ts";
import { Doorbell, pump } from "../alerts/pump.ts";
import type { Webhook } from "../alerts/webhooks.ts";

/** One alarm sends at most this many deliveries: under the Free plan's 50 subrequests per invocation. */
export const MAX_SENDS_PER_ALARM = 40;
/** Failed deliveries shown per webhook in GET /v1/webhooks. */
const UNDELIVERED_SHOWN = 20;
/**
 * Failed deliveries kept per webhook: a receiver left broken for months (a flapping host, a
 * reminder every hour) must not grow the ledger without end. Past this the oldest go; the count
 * shown is of those kept, and any at all keeps /v1/check at 503.
 */
export const MAX_UNDELIVERED_KEPT = 100;
/** Sends in flight at once: a Worker invocation holds at most 6 open connections; more would only queue. */
const MAX_CONCURRENT_SENDS = 6;

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
  /** Rung when a delivery is queued, so a running delivery loop picks it up at once. */
  private readonly doorbell = new Doorbell();
  /**
   * Webhooks with a send in flight, in any run: the next row of one waits for its answer, so a
   * hung receiver's backlog takes one of the alarm's few connections, not all of them.
   */
  private readonly sending = new Set<string>();

  constructor(private readonly sql: SqlStorage) {}

  /** Queues `event` for `webhook` unless it already is (a retried flush); says whether it was queued. */
  enqueue(webhook: string, event: AlertEvent, now: number): boolean {
    // Due at once: `now` may be a cron run's scheduledTime, which can lie ahead of the alarm's clock.
    const due = Math.min(now, Date.now());
    const queued =
      this.sql.exec(
        `INSERT OR IGNORE INTO outbox (message_id, webhook, event, status, next_at, created_at)
         VALUES (?, ?, ?, 'pending', ?, ?)`,
        event.id,
        webhook,
        JSON.stringify(event),
        due,
        now,
      ).rowsWritten > 0;
    if (queued) this.doorbell.ring();
    return queued;
  }

  /**
   * Sends what is due, each to its webhook as `webhook` finds it at send time; a delivery whose
   * webhook is gone is dropped. Returns when nothing is due or in flight, or the alarm's send
   * budget is spent.
   */
  async deliver(webhook: (name: string) => Webhook | null): Promise<void> {
    await pump({
      claim: () => this.claim(Date.now()),
      deliver: async (row) => {
        try {
          const hook = webhook(row.webhook);
          const now = Date.now();
          let result: SendResult | null;
          try {
            result = hook ? await send(await renderRequest(hook, JSON.parse(row.event) as AlertEvent, now)) : null;
          } catch (error) {
            // An alert that cannot even be rendered is a failed attempt like any other: retried, then
            // undelivered. Thrown on, it would be claimed again forever and end the alarm's other sends.
            result = { ok: false, status: null, error: `could not render the alert: ${String(error).slice(0, 200)}` };
          }
          this.settle(row, result, now);
        } finally {
          this.sending.delete(row.webhook);
        }
      },
      concurrency: MAX_CONCURRENT_SENDS,
      budget: MAX_SENDS_PER_ALARM,
      doorbell: this.doorbell,
    });
  }

  /**
   * The next due row of a webhook with no send in flight, claimed (synchronously, before any
   * await) so no overlapping run sends it too.
   */
  private claim(now: number): OutboxRow | null {
    const row = this.sql
      .exec<OutboxRow>(
        `SELECT * FROM outbox WHERE status = 'pending' AND next_at <= ?
           AND webhook NOT IN (SELECT value FROM json_each(?)) ORDER BY next_at, seq LIMIT 1`,
        now,
        JSON.stringify([...this.sending]),
      )
      .toArray()[0];
    if (!row) return null;
    this.sql.exec("UPDATE outbox SET next_at = ? WHERE seq = ?", now + DELIVERY_TIMEOUT_MS * 2, row.seq);
    this.sending.add(row.webhook);
    return row;
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
      this.sql.exec(
        `DELETE FROM outbox WHERE webhook = ?1 AND status = 'undelivered' AND seq NOT IN
           (SELECT seq FROM outbox WHERE webhook = ?1 AND status = 'undelivered' ORDER BY seq DESC LIMIT ?2)`,
        row.webhook,
        MAX_UNDELIVERED_KEPT,
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

  /**
   * A deleted host's pending deliveries of `transitions` (their reminders and flapping notices
   * too) go with it; those already undelivered stay, as the record of a broken webhook.
   */
  dropPending(host: string, transitions: ReadonlySet<string>): void {
    if (transitions.size === 0) return;
    const pending = this.sql
      .exec<{ seq: number; message_id: string }>(
        "SELECT seq, message_id FROM outbox WHERE status = 'pending' AND json_extract(event, '$.host') = ?",
        host,
      )
      .toArray();
    for (const row of pending) {
      if (transitions.has(transitionOf(row.message_id))) this.sql.exec("DELETE FROM outbox WHERE seq = ?", row.seq);
    }
  }

  /** A deleted webhook's deliveries go with it. */
  drop(webhook: string): void {
    this.sql.exec("DELETE FROM outbox WHERE webhook = ?", webhook);
  }
}
