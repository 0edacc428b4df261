/**
 * The ledger (DESIGN §6): one SQLite-backed Durable Object, the only place that decides
 * "announced yet?". KV is eventually consistent and has no compare-and-set, so the beat path and
 * the cron hand their verdicts here; each observation is applied synchronously (no await between
 * reading and writing a host's row), so two overlapping cron runs, or a cron and a beat, can never
 * announce one transition twice. A transition is recorded before anything is sent; deliveries wait
 * in the outbox and leave it only after a 2xx, retried from the alarm with backoff.
 */
import { DurableObject } from "cloudflare:workers";
import { generateSecret } from "../../protocol/keys.ts";
import { isAlerting, type State } from "../../protocol/verdict.ts";
import {
  DELIVERY_TIMEOUT_MS,
  MAX_ATTEMPTS,
  renderRequest,
  retryDelayMs,
  type SendResult,
  send,
} from "../alerts/delivery.ts";
import {
  type AlertEvent,
  reminderEvent,
  summaryEvent,
  type TransitionRecord,
  testEvent,
  transitionEvent,
  transitionId,
} from "../alerts/event.ts";
import { Doorbell, pump } from "../alerts/pump.ts";
import {
  type Format,
  matches,
  REDACTED,
  REDACTED_SECRET,
  redactUrl,
  type Webhook,
  type WebhookInput,
} from "../alerts/webhooks.ts";
import type { Bindings } from "../env.ts";
import type { Monitor } from "../faces/status.ts";
import type { BeatRecord, HostConfig } from "../fleet/store.ts";

/** A verdict handed to the ledger, with what an alert needs to say about it. Times are unix ms. */
export interface Observation {
  host: string;
  epoch: string;
  state: State;
  reason: string | null;
  seats: number | null;
  minSeats: number;
  /** Arrival of the beat this verdict rests on; orders observations (a stale view never wins). */
  lastSeen: number | null;
  since: number;
  /** When the verdict was computed (the beat's arrival, or the cron's scheduledTime). */
  at: number;
  labels: string[];
  alertAfter: number;
  repeatEvery: number;
}

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

export interface MonitorRecord {
  lastCronAt: number;
  hostsEvaluated: number;
  handed: number;
  carried: number;
  alertsQueued: number;
  cursor: string | null;
}

export interface LedgerHostState {
  state: State;
  since: number;
}

/** One transition as `GET /v1/hosts/:id/events` shows it. */
export interface HostTransition {
  id: string;
  state: State;
  previous: State;
  reason: string | null;
  seats: number | null;
  minSeats: number;
  since: string;
  recordedAt: string;
  /** Whether webhooks were told (pauses, `new → up` and alerts dropped by `alertAfter` are not). */
  announced: boolean;
}

/** After 3 minutes without a cron run — or before the first — the monitor itself is down (DESIGN §6). */
export const STALE_AFTER_MS = 180_000;
/** One alarm sends at most this many deliveries: under the Free plan's 50 subrequests per invocation. */
export const MAX_SENDS_PER_ALARM = 40;
/** Sends in flight at once: a Worker invocation holds at most 6 open connections; more would only queue. */
const MAX_CONCURRENT_SENDS = 6;
/** More than this many transitions announced at once become one `fleet.summary` per webhook (DESIGN §6). */
export const SUMMARY_THRESHOLD = 5;
/** A cron run's transitions are queued when the run reports in; if it never does, the alarm queues them after this. */
const ORPHAN_AFTER_MS = 120_000;
/** Failed deliveries shown per webhook in GET /v1/webhooks; the count is always exact. */
const UNDELIVERED_SHOWN = 20;

type Row = Record<string, SqlStorageValue>;

interface HostRow extends Row {
  id: string;
  epoch: string;
  state: State;
  reason: string | null;
  since: number;
  last_seen: number | null;
  at: number;
  seats: number | null;
  min_seats: number;
  labels: string;
  alert_after: number;
  repeat_every: number;
  announced: State | null;
  transition_id: string | null;
  hold_until: number | null;
  remind_at: number | null;
  reminders: number;
}

interface TransitionRow extends Row {
  id: string;
  host: string;
  epoch: string;
  state: State;
  previous: State;
  reason: string | null;
  seats: number | null;
  min_seats: number;
  last_seen: number | null;
  since: number;
  at: number;
  labels: string;
  alert: number;
  queued: number;
  run: number | null;
}

interface OutboxRow extends Row {
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

interface WebhookRow extends Row {
  name: string;
  url: string;
  format: string;
  secret: string;
  labels: string;
  routing_key: string | null;
  created_at: number;
  updated_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS hosts (
  id TEXT PRIMARY KEY, epoch TEXT NOT NULL, state TEXT NOT NULL, reason TEXT, since INTEGER NOT NULL,
  last_seen INTEGER, at INTEGER NOT NULL, seats INTEGER, min_seats INTEGER NOT NULL, labels TEXT NOT NULL,
  alert_after INTEGER NOT NULL, repeat_every INTEGER NOT NULL, announced TEXT, transition_id TEXT,
  hold_until INTEGER, remind_at INTEGER, reminders INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS hosts_hold ON hosts (hold_until) WHERE hold_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS hosts_remind ON hosts (remind_at) WHERE remind_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS transitions (
  id TEXT PRIMARY KEY, host TEXT NOT NULL, epoch TEXT NOT NULL, state TEXT NOT NULL, previous TEXT NOT NULL,
  reason TEXT, seats INTEGER, min_seats INTEGER NOT NULL, last_seen INTEGER, since INTEGER NOT NULL,
  at INTEGER NOT NULL, labels TEXT NOT NULL, alert INTEGER NOT NULL DEFAULT 0, queued INTEGER NOT NULL DEFAULT 0,
  run INTEGER
);
CREATE INDEX IF NOT EXISTS transitions_host ON transitions (host, since);
CREATE INDEX IF NOT EXISTS transitions_unqueued ON transitions (queued) WHERE queued = 0;
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL, webhook TEXT NOT NULL, event TEXT NOT NULL,
  status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, last_error TEXT,
  created_at INTEGER NOT NULL, UNIQUE (message_id, webhook)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_at);
CREATE TABLE IF NOT EXISTS webhooks (
  name TEXT PRIMARY KEY, url TEXT NOT NULL, format TEXT NOT NULL, secret TEXT NOT NULL, labels TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/**
 * Changes to tables a deployed ledger already has (CREATE TABLE IF NOT EXISTS never alters one),
 * applied in order once each; `meta.schema` counts those applied. Append only.
 */
const MIGRATIONS = ["ALTER TABLE webhooks ADD COLUMN routing_key TEXT"];

export interface UndeliveredView {
  id: string;
  type: string;
  host: string;
  attempts: number;
  lastError: string | null;
  queuedAt: string;
}

export interface WebhookView {
  name: string;
  url: string;
  format: Format;
  secret: string;
  labels: string[];
  /** Present (redacted) on `pagerduty` webhooks. */
  routingKey?: string;
  createdAt: string;
  updatedAt: string;
  pending: number;
  undeliveredCount: number;
  undelivered: UndeliveredView[];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** (lastSeen, at) orders what the ledger hears: older evidence never overrides newer. */
function isOlder(obs: Observation, row: HostRow): boolean {
  const seen = obs.lastSeen ?? 0;
  const rowSeen = row.last_seen ?? 0;
  return seen < rowSeen || (seen === rowSeen && obs.at < row.at);
}

function toTransition(row: TransitionRow): TransitionRecord {
  return {
    id: row.id,
    host: row.host,
    state: row.state,
    previous: row.previous,
    reason: row.reason,
    seats: row.seats,
    minSeats: row.min_seats,
    lastSeen: row.last_seen,
    since: row.since,
    at: row.at,
  };
}

function toWebhook(row: WebhookRow): Webhook {
  return {
    name: row.name,
    url: row.url,
    format: row.format as Format,
    secret: row.secret,
    labels: JSON.parse(row.labels) as string[],
    ...(row.routing_key === null ? {} : { routingKey: row.routing_key }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class Ledger extends DurableObject<Bindings> {
  private readonly sql: SqlStorage;
  /** Rung when a delivery is queued, so a running delivery loop picks it up at once. */
  private readonly doorbell = new Doorbell();

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(SCHEMA);
    ctx.storage.transactionSync(() => {
      const applied = Number(this.meta("schema") ?? 0);
      for (const statement of MIGRATIONS.slice(applied)) this.sql.exec(statement);
      this.setMeta("schema", String(MIGRATIONS.length));
    });
  }

  // ---- verdicts in ----------------------------------------------------------------------------

  /**
   * Applies verdicts. From the beat path (`run` null) announcements are queued at once; from a
   * cron run they wait for `recordRun`, which can fold a storm into one summary per webhook.
   */
  async observe(observations: Observation[], run: number | null): Promise<{ changed: number; announced: number }> {
    const now = Date.now();
    let changed = 0;
    const announced: string[] = [];
    for (const obs of observations) {
      const result = this.apply(obs, run);
      if (result.changed) changed++;
      if (result.announced) announced.push(result.announced);
    }
    if (run === null && announced.length > 0) this.flush(announced, now, true);
    await this.scheduleAlarm();
    return { changed, announced: announced.length };
  }

  /**
   * A deleted host: drop its row so no reminder or `alertAfter` hold fires for it, and remember
   * the deleted epoch so a beat still in flight (or accepted from a stale edge cache) cannot bring
   * it back. A re-created host has a new epoch and starts afresh.
   */
  async forget(id: string, epoch: string): Promise<void> {
    this.sql.exec("DELETE FROM hosts WHERE id = ?", id);
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", `deleted:${id}`, epoch);
    await this.scheduleAlarm();
  }

  private host(id: string): HostRow | null {
    return this.sql.exec<HostRow>("SELECT * FROM hosts WHERE id = ?", id).toArray()[0] ?? null;
  }

  private apply(obs: Observation, run: number | null): { changed: boolean; announced: string | null } {
    if (this.meta(`deleted:${obs.host}`) === obs.epoch) return { changed: false, announced: null };
    const stored = this.host(obs.host);
    const row = stored && stored.epoch === obs.epoch ? stored : null;
    if (row && (isOlder(obs, row) || row.state === obs.state)) return { changed: false, announced: null };

    const id = transitionId(obs.host, obs.state, obs.since);
    const labels = JSON.stringify(obs.labels);
    this.sql.exec(
      `INSERT OR IGNORE INTO transitions (id, host, epoch, state, previous, reason, seats, min_seats, last_seen, since, at, labels, run)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      obs.host,
      obs.epoch,
      obs.state,
      row?.state ?? "new",
      obs.reason,
      obs.seats,
      obs.minSeats,
      obs.lastSeen,
      obs.since,
      obs.at,
      labels,
      run,
    );

    let announced = row?.announced ?? null;
    let transition = row?.transition_id ?? null;
    let holdUntil: number | null = null;
    let remindAt: number | null = null;
    let reminders = row?.reminders ?? 0;
    let announce = false;
    if (isAlerting(obs.state)) {
      if (announced === obs.state) {
        // Back in the state receivers last heard (e.g. resumed while still silent): no news, reminders resume.
        remindAt = obs.repeatEvery > 0 ? obs.at + obs.repeatEvery * 1000 : null;
      } else if (obs.since + obs.alertAfter * 1000 > obs.at) {
        holdUntil = obs.since + obs.alertAfter * 1000;
      } else {
        announce = true;
      }
    } else if (obs.state === "up") {
      if (announced !== null && isAlerting(announced)) announce = true;
      else announced = "up";
    }
    // `new` and `paused` announce nothing and keep what receivers last heard.
    if (announce) {
      announced = obs.state;
      transition = id;
      reminders = 0;
      remindAt = isAlerting(obs.state) && obs.repeatEvery > 0 ? obs.at + obs.repeatEvery * 1000 : null;
      this.sql.exec("UPDATE transitions SET alert = 1, queued = 0 WHERE id = ?", id);
    }
    this.sql.exec(
      `INSERT OR REPLACE INTO hosts (id, epoch, state, reason, since, last_seen, at, seats, min_seats, labels,
         alert_after, repeat_every, announced, transition_id, hold_until, remind_at, reminders)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      obs.host,
      obs.epoch,
      obs.state,
      obs.reason,
      obs.since,
      obs.lastSeen,
      obs.at,
      obs.seats,
      obs.minSeats,
      labels,
      obs.alertAfter,
      obs.repeatEvery,
      announced,
      transition,
      holdUntil,
      remindAt,
      reminders,
    );
    return { changed: true, announced: announce ? id : null };
  }

  // ---- the cron's heartbeat -------------------------------------------------------------------

  /** Records a finished cron run and queues what it announced (one summary per webhook in a storm). */
  async recordRun(run: CronRun): Promise<{ alertsQueued: number }> {
    const ids = this.sql
      .exec<{ id: string }>(
        "SELECT id FROM transitions WHERE queued = 0 AND alert = 1 AND (run = ? OR run IS NULL OR run < ?)",
        run.at,
        run.at,
      )
      .toArray()
      .map((r) => r.id);
    const alertsQueued = this.flush(ids, run.at, true);
    const record: MonitorRecord = {
      lastCronAt: run.at,
      hostsEvaluated: run.hostsEvaluated,
      handed: run.handed,
      carried: run.carried,
      alertsQueued,
      cursor: run.cursor,
    };
    this.setMeta("monitor", JSON.stringify(record));
    await this.scheduleAlarm();
    return { alertsQueued };
  }

  handoffCursor(): string | null {
    return this.monitorRecord()?.cursor ?? null;
  }

  private monitorRecord(): MonitorRecord | null {
    const raw = this.meta("monitor");
    return raw === null ? null : (JSON.parse(raw) as MonitorRecord);
  }

  monitor(now: number): Monitor {
    const record = this.monitorRecord();
    const undelivered = this.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE status = 'undelivered'")
      .one().n;
    return {
      lastCronAt: record ? iso(record.lastCronAt) : null,
      hostsEvaluated: record?.hostsEvaluated ?? 0,
      stale: record === null || now - record.lastCronAt > STALE_AFTER_MS,
      undelivered,
    };
  }

  /**
   * What the read API needs from the ledger in one request: the monitor and each host's state and
   * since (only `only`'s, for one host's pages).
   */
  status(now: number, only?: string): { monitor: Monitor; hosts: Record<string, LedgerHostState> } {
    const hosts: Record<string, LedgerHostState> = {};
    const rows =
      only === undefined
        ? this.sql.exec<{ id: string; state: State; since: number }>("SELECT id, state, since FROM hosts")
        : this.sql.exec<{ id: string; state: State; since: number }>(
            "SELECT id, state, since FROM hosts WHERE id = ?",
            only,
          );
    for (const row of rows) {
      hosts[row.id] = { state: row.state, since: row.since };
    }
    return { monitor: this.monitor(now), hosts };
  }

  /**
   * A host's transitions since `from` (newest first, at most `limit`), and every state change
   * uptime needs: those since `from` plus the one in force at `from`. Only this incarnation's
   * (`epoch`): a deleted and re-created host starts a fresh history.
   */
  history(
    host: string,
    epoch: string,
    from: number,
    limit: number,
  ): { transitions: HostTransition[]; changes: { state: State; since: number }[] } {
    const rows = this.sql
      .exec<TransitionRow>(
        "SELECT * FROM transitions WHERE host = ? AND epoch = ? AND since >= ? ORDER BY since DESC",
        host,
        epoch,
        from,
      )
      .toArray();
    const before = this.sql
      .exec<TransitionRow>(
        "SELECT * FROM transitions WHERE host = ? AND epoch = ? AND since < ? ORDER BY since DESC LIMIT 1",
        host,
        epoch,
        from,
      )
      .toArray();
    return {
      transitions: rows.slice(0, limit).map((r) => ({
        id: r.id,
        state: r.state,
        previous: r.previous,
        reason: r.reason,
        seats: r.seats,
        minSeats: r.min_seats,
        since: iso(r.since),
        recordedAt: iso(r.at),
        announced: r.alert === 1,
      })),
      changes: [...rows, ...before].map((r) => ({ state: r.state, since: r.since })),
    };
  }

  // ---- the outbox -----------------------------------------------------------------------------

  /** Queues the announced transitions `ids` for every matching webhook; returns messages queued. */
  private flush(ids: readonly string[], now: number, summarize: boolean): number {
    if (ids.length === 0) return 0;
    const rows: TransitionRow[] = [];
    for (const id of ids) {
      const row = this.sql
        .exec<TransitionRow>("SELECT * FROM transitions WHERE id = ? AND queued = 0", id)
        .toArray()[0];
      if (!row) continue;
      rows.push(row);
      this.sql.exec("UPDATE transitions SET queued = 1 WHERE id = ?", id);
    }
    const origin = this.meta("origin") ?? "";
    let queued = 0;
    for (const hook of this.webhooks()) {
      const mine = rows.filter((r) => matches(hook, JSON.parse(r.labels) as string[]));
      const events = mine.map((r) => transitionEvent(toTransition(r), origin));
      // PagerDuty keeps one incident per host (dedup_key): a summary could never be resolved by
      // the hosts' recoveries, and PagerDuty groups a storm of its alerts itself.
      if (summarize && events.length > SUMMARY_THRESHOLD && hook.format !== "pagerduty") {
        queued += this.enqueue(hook.name, summaryEvent(events, now, origin), now);
      } else {
        for (const event of events) queued += this.enqueue(hook.name, event, now);
      }
    }
    return queued;
  }

  private enqueue(webhook: string, event: AlertEvent, now: number): number {
    // Due at once: `now` may be a cron run's scheduledTime, which can lie ahead of the alarm's clock.
    const due = Math.min(now, Date.now());
    const written = this.sql.exec(
      `INSERT OR IGNORE INTO outbox (message_id, webhook, event, status, next_at, created_at)
       VALUES (?, ?, ?, 'pending', ?, ?)`,
      event.id,
      webhook,
      JSON.stringify(event),
      due,
      now,
    ).rowsWritten;
    if (written > 0) this.doorbell.ring();
    return written > 0 ? 1 : 0;
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    // One flush: holds falling due and a crashed run's transitions are one storm, summarised once.
    this.flush([...this.promoteHolds(now), ...this.orphans(now)], now, true);
    this.queueReminders(now);
    await this.deliverDue();
    await this.scheduleAlarm();
  }

  /** `alertAfter` has passed and the host is still in the held state: announce it now. */
  private promoteHolds(now: number): string[] {
    const ids: string[] = [];
    for (const row of this.sql.exec<HostRow>("SELECT * FROM hosts WHERE hold_until <= ?", now).toArray()) {
      let transition = row.transition_id;
      let announced = row.announced;
      let remindAt = row.remind_at;
      let reminders = row.reminders;
      if (isAlerting(row.state) && row.announced !== row.state) {
        transition = transitionId(row.id, row.state, row.since);
        this.sql.exec("UPDATE transitions SET alert = 1, queued = 0, at = ? WHERE id = ?", now, transition);
        announced = row.state;
        reminders = 0;
        remindAt = row.repeat_every > 0 ? now + row.repeat_every * 1000 : null;
        ids.push(transition);
      }
      this.sql.exec(
        "UPDATE hosts SET hold_until = NULL, announced = ?, transition_id = ?, remind_at = ?, reminders = ? WHERE id = ?",
        announced,
        transition,
        remindAt,
        reminders,
        row.id,
      );
    }
    return ids;
  }

  /** Announced transitions of a cron run that never reported in (it crashed): queued, never dropped. */
  private orphans(now: number): string[] {
    return this.sql
      .exec<{ id: string }>(
        "SELECT id FROM transitions WHERE queued = 0 AND alert = 1 AND run < ?",
        now - ORPHAN_AFTER_MS,
      )
      .toArray()
      .map((r) => r.id);
  }

  private queueReminders(now: number): void {
    const origin = this.meta("origin") ?? "";
    const hooks = this.webhooks();
    for (const row of this.sql.exec<HostRow>("SELECT * FROM hosts WHERE remind_at <= ?", now).toArray()) {
      const t = row.transition_id
        ? this.sql.exec<TransitionRow>("SELECT * FROM transitions WHERE id = ?", row.transition_id).toArray()[0]
        : undefined;
      if (!t || row.state !== row.announced || !isAlerting(row.state) || row.repeat_every === 0) {
        this.sql.exec("UPDATE hosts SET remind_at = NULL WHERE id = ?", row.id);
        continue;
      }
      const n = row.reminders + 1;
      const event = reminderEvent(toTransition(t), n, now, origin);
      const labels = JSON.parse(row.labels) as string[];
      for (const hook of hooks) if (matches(hook, labels)) this.enqueue(hook.name, event, now);
      this.sql.exec(
        "UPDATE hosts SET reminders = ?, remind_at = ? WHERE id = ?",
        n,
        now + row.repeat_every * 1000,
        row.id,
      );
    }
  }

  /**
   * Sends what is due, a few at a time, recording each result as it arrives; rows queued while
   * the run is under way (the beat path's alerts) join it at once instead of waiting behind the
   * slowest receiver.
   */
  private async deliverDue(): Promise<void> {
    const hooks = new Map(this.webhooks().map((h) => [h.name, h]));
    await pump({
      claim: () => this.claimDue(Date.now()),
      deliver: (row) => this.deliver(row, hooks),
      concurrency: MAX_CONCURRENT_SENDS,
      budget: MAX_SENDS_PER_ALARM,
      doorbell: this.doorbell,
    });
  }

  /** Claimed before the send, so an overlapping invocation cannot send the same row twice. */
  private claimDue(now: number): OutboxRow | null {
    const row = this.sql
      .exec<OutboxRow>(
        "SELECT * FROM outbox WHERE status = 'pending' AND next_at <= ? ORDER BY next_at, seq LIMIT 1",
        now,
      )
      .toArray()[0];
    if (!row) return null;
    this.sql.exec("UPDATE outbox SET next_at = ? WHERE seq = ?", now + DELIVERY_TIMEOUT_MS * 2, row.seq);
    return row;
  }

  private async deliver(row: OutboxRow, hooks: Map<string, Webhook>): Promise<void> {
    // A webhook created during this run is not in `hooks` yet; a deleted one has no rows left.
    const hook = hooks.get(row.webhook) ?? this.webhook(row.webhook);
    const now = Date.now();
    const result = hook ? await send(await renderRequest(hook, JSON.parse(row.event) as AlertEvent, now)) : null;
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

  /** The alarm fires at the earliest of: a due delivery, an `alertAfter` hold, a reminder, an orphaned run. */
  private async scheduleAlarm(): Promise<void> {
    const next = this.sql
      .exec<{ at: number | null }>(
        `SELECT min(at) AS at FROM (
           SELECT min(next_at) AS at FROM outbox WHERE status = 'pending'
           UNION ALL SELECT min(hold_until) FROM hosts WHERE hold_until IS NOT NULL
           UNION ALL SELECT min(remind_at) FROM hosts WHERE remind_at IS NOT NULL
           UNION ALL SELECT min(run) + ? FROM transitions WHERE queued = 0 AND alert = 1 AND run IS NOT NULL)`,
        ORPHAN_AFTER_MS + 1,
      )
      .one().at;
    const current = await this.ctx.storage.getAlarm();
    if (next === null) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
    } else if (current === null || current > next) {
      await this.ctx.storage.setAlarm(next);
    }
  }

  // ---- webhooks -------------------------------------------------------------------------------

  private webhooks(): Webhook[] {
    return this.sql.exec<WebhookRow>("SELECT * FROM webhooks ORDER BY name").toArray().map(toWebhook);
  }

  private webhook(name: string): Webhook | null {
    const row = this.sql.exec<WebhookRow>("SELECT * FROM webhooks WHERE name = ?", name).toArray()[0];
    return row ? toWebhook(row) : null;
  }

  listWebhooks(): WebhookView[] {
    return this.webhooks().map((hook) => this.view(hook));
  }

  private view(hook: Webhook): WebhookView {
    const counts = this.sql
      .exec<{ status: string; n: number }>(
        "SELECT status, count(*) AS n FROM outbox WHERE webhook = ? GROUP BY status",
        hook.name,
      )
      .toArray();
    const undelivered = this.sql
      .exec<OutboxRow>(
        "SELECT * FROM outbox WHERE webhook = ? AND status = 'undelivered' ORDER BY seq DESC LIMIT ?",
        hook.name,
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
      name: hook.name,
      url: redactUrl(hook.url),
      format: hook.format,
      secret: REDACTED_SECRET,
      labels: hook.labels,
      ...(hook.routingKey === undefined ? {} : { routingKey: REDACTED }),
      createdAt: iso(hook.createdAt),
      updatedAt: iso(hook.updatedAt),
      pending: counts.find((c) => c.status === "pending")?.n ?? 0,
      undeliveredCount: counts.find((c) => c.status === "undelivered")?.n ?? 0,
      undelivered,
    };
  }

  /**
   * Creates or replaces a webhook. Replacing one acknowledges its undelivered alerts (the operator
   * has looked and fixed it), which clears them from `monitor.undelivered`. The secret is returned
   * only when generated here, once.
   */
  putWebhook(
    name: string,
    input: WebhookInput,
    origin: string,
    now: number,
  ): { webhook: WebhookView; created: boolean; secret?: string } {
    const existing = this.webhook(name);
    const secret = input.secret ?? existing?.secret ?? generateSecret();
    this.sql.exec(
      `INSERT OR REPLACE INTO webhooks (name, url, format, secret, labels, routing_key, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      name,
      input.url,
      input.format,
      secret,
      JSON.stringify(input.labels),
      input.routingKey ?? null,
      existing?.createdAt ?? now,
      now,
    );
    this.sql.exec("DELETE FROM outbox WHERE webhook = ? AND status = 'undelivered'", name);
    this.setMeta("origin", origin);
    const hook = this.webhook(name) as Webhook;
    const generated = input.secret === undefined && existing === null;
    return { webhook: this.view(hook), created: existing === null, ...(generated ? { secret } : {}) };
  }

  async deleteWebhook(name: string): Promise<boolean> {
    const existed = this.webhook(name) !== null;
    this.sql.exec("DELETE FROM webhooks WHERE name = ?", name);
    this.sql.exec("DELETE FROM outbox WHERE webhook = ?", name);
    await this.scheduleAlarm();
    return existed;
  }

  /** Sends a `test` event straight away, outside the outbox: a failed test is not an undelivered alert. */
  async testWebhook(name: string, origin: string, now: number): Promise<SendResult | null> {
    const hook = this.webhook(name);
    if (!hook) return null;
    return send(await renderRequest(hook, testEvent(name, now, origin), now));
  }

  // ---- small key-value state ------------------------------------------------------------------

  private meta(key: string): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }
}

/** What the beat path hands the ledger when an accepted beat changed the host's verdict. */
export function beatObservation(host: HostConfig, record: BeatRecord): Observation {
  return {
    host: host.id,
    epoch: host.epoch,
    state: record.state,
    reason: record.reason,
    seats: record.beat.seats,
    minSeats: host.policy.minSeats,
    lastSeen: record.lastSeen,
    since: record.since,
    at: record.lastSeen,
    labels: host.policy.labels,
    alertAfter: host.policy.alertAfter,
    repeatEvery: host.policy.repeatEvery,
  };
}

/** There is one ledger for the whole fleet: all announcements serialise through it. */
export function ledgerStub(env: Pick<Bindings, "LEDGER">): DurableObjectStub<Ledger> {
  return env.LEDGER.getByName("ledger");
}
