/**
 * The ledger's transition records (DESIGN §6): every state change it accepted, whether it was
 * announced, and whether it has been queued for the webhooks yet. An announced transition is
 * recorded before it is queued, so a crash in between loses nothing: the alarm queues it later.
 */
import { iso } from "../../protocol/time.ts";
import type { State } from "../../protocol/verdict.ts";
import type { TransitionRecord } from "../alerts/event.ts";
import type { AttentionSeat } from "../fleet/activity.ts";
import type { AnnounceAs } from "./announce.ts";

/** A cron run's transitions are queued when the run reports in; if it never does, the alarm queues them after this. */
const ORPHAN_AFTER_MS = 120_000;
/** Transitions are kept for the 30 days `GET /v1/hosts/:id/events` and uptime show (DESIGN §6). */
export const TRANSITION_RETENTION_MS = 30 * 86_400_000;
/**
 * Transitions kept per host: the events API lists 500. One flapping host could otherwise spend
 * most of the Free plan's 100,000 DO row writes a day on history nobody can be shown.
 */
export const MAX_TRANSITIONS_PER_HOST = 500;
/**
 * Rows pruning never takes: the transition a host's reminders repeat, and an announced one not yet
 * queued for the webhooks.
 */
const STILL_NEEDED =
  "(id IN (SELECT transition_id FROM hosts WHERE transition_id IS NOT NULL) OR (alert = 1 AND queued = 0))";

interface TransitionRow extends Record<string, SqlStorageValue> {
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
  /** JSON of the seats the transition names; null on rows from before seats at work. */
  attention: string | null;
  states: string;
  announce_as: AnnounceAs;
}

/** An announced transition taken for queueing: what it was, how it is announced and to whom. */
export interface Claimed {
  transition: TransitionRecord;
  /** The incarnation of the host it belongs to. */
  epoch: string;
  /** The host's labels when it was recorded; the ledger routes by its current ones where it has them. */
  labels: string[];
  states: State[];
  as: AnnounceAs;
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

function toRecord(row: TransitionRow): TransitionRecord {
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
    attention: row.attention === null ? [] : (JSON.parse(row.attention) as AttentionSeat[]),
  };
}

export class Transitions {
  constructor(private readonly sql: SqlStorage) {}

  /** Records `t` unless it already is: a transition seen again keeps its first record. */
  record(t: TransitionRecord, epoch: string, labels: readonly string[], run: number | null): void {
    this.sql.exec(
      `INSERT OR IGNORE INTO transitions (id, host, epoch, state, previous, reason, seats, min_seats, last_seen, since, at, labels, run, attention)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      t.id,
      t.host,
      epoch,
      t.state,
      t.previous,
      t.reason,
      t.seats,
      t.minSeats,
      t.lastSeen,
      t.since,
      t.at,
      JSON.stringify(labels),
      run,
      JSON.stringify(t.attention),
    );
  }

  /** Keeps `host`'s newest MAX_TRANSITIONS_PER_HOST transitions (and any still needed); returns rows deleted. */
  cap(host: string): number {
    // Counted first (an index range): the DELETE's subqueries read every host row, which a cron
    // run handing over thousands of hosts must not pay once per host.
    const kept = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM transitions WHERE host = ?", host).one().n;
    if (kept <= MAX_TRANSITIONS_PER_HOST) return 0;
    return this.sql.exec(
      `DELETE FROM transitions WHERE host = ? AND NOT ${STILL_NEEDED} AND id IN (
         SELECT id FROM transitions WHERE host = ? ORDER BY since DESC LIMIT -1 OFFSET ?)`,
      host,
      host,
      MAX_TRANSITIONS_PER_HOST,
    ).rowsWritten;
  }

  /**
   * Drops transitions older than the retention, except each host's last one before it: uptime
   * needs the state in force when its 30-day window opens. An incarnation the ledger no longer
   * holds (one deleted before `drop` took every row) shows no uptime, so its last row goes too.
   * Returns rows deleted.
   */
  prune(now: number): number {
    const cutoff = now - TRANSITION_RETENTION_MS;
    return this.sql.exec(
      `DELETE FROM transitions WHERE since < ? AND NOT ${STILL_NEEDED} AND (EXISTS (
         SELECT 1 FROM transitions AS newer WHERE newer.host = transitions.host AND newer.epoch = transitions.epoch
           AND newer.since > transitions.since AND newer.since <= ?)
         OR NOT EXISTS (SELECT 1 FROM hosts WHERE hosts.id = transitions.host AND hosts.epoch = transitions.epoch))`,
      cutoff,
      cutoff,
    ).rowsWritten;
  }

  /**
   * A deleted host's history goes with it, announced-but-unqueued rows too: nothing may be
   * announced for it after its DELETE, and no later row could ever make prune take them. Every
   * incarnation's, should one have outlived its own delete. A re-created host starts afresh under a
   * new epoch. Returns the ids dropped.
   */
  drop(host: string): Set<string> {
    const dropped = this.sql
      .exec<{ id: string }>("DELETE FROM transitions WHERE host = ? RETURNING id", host)
      .toArray();
    return new Set(dropped.map((r) => r.id));
  }

  /** Marks a recorded transition announced (as itself or as a flapping notice) to `states`, dated `at`, waiting to be queued. */
  announce(id: string, at: number, states: readonly State[], as: AnnounceAs): void {
    this.sql.exec(
      "UPDATE transitions SET alert = 1, queued = 0, at = ?, states = ?, announce_as = ? WHERE id = ?",
      at,
      JSON.stringify(states),
      as,
      id,
    );
  }

  get(id: string): TransitionRecord | null {
    const row = this.sql.exec<TransitionRow>("SELECT * FROM transitions WHERE id = ?", id).toArray()[0];
    return row ? toRecord(row) : null;
  }

  /** Takes the announced transitions `ids` that are not queued yet, marking them queued. */
  claim(ids: readonly string[]): Claimed[] {
    const claimed: Claimed[] = [];
    for (const id of ids) {
      const row = this.sql
        .exec<TransitionRow>("SELECT * FROM transitions WHERE id = ? AND queued = 0", id)
        .toArray()[0];
      if (!row) continue;
      this.sql.exec("UPDATE transitions SET queued = 1 WHERE id = ?", id);
      claimed.push({
        transition: toRecord(row),
        epoch: row.epoch,
        labels: JSON.parse(row.labels) as string[],
        states: JSON.parse(row.states) as State[],
        as: row.announce_as,
      });
    }
    return claimed;
  }

  /** What the cron run at `runAt` announced, and what the beat path or an earlier run left unqueued. */
  unqueuedUpTo(runAt: number): string[] {
    return this.sql
      .exec<{ id: string }>(
        "SELECT id FROM transitions WHERE queued = 0 AND alert = 1 AND (run = ? OR run IS NULL OR run < ?)",
        runAt,
        runAt,
      )
      .toArray()
      .map((r) => r.id);
  }

  /** Announced transitions of a cron run that never reported in (it crashed): queued, never dropped. */
  orphans(now: number): string[] {
    return this.sql
      .exec<{ id: string }>(
        "SELECT id FROM transitions WHERE queued = 0 AND alert = 1 AND run < ?",
        now - ORPHAN_AFTER_MS,
      )
      .toArray()
      .map((r) => r.id);
  }

  /** When the alarm must pick up orphans if their run never reports in; null when none wait. */
  orphansDueAt(): number | null {
    return this.sql
      .exec<{ at: number | null }>(
        "SELECT min(run) + ? AS at FROM transitions WHERE queued = 0 AND alert = 1 AND run IS NOT NULL",
        ORPHAN_AFTER_MS + 1,
      )
      .one().at;
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
}
