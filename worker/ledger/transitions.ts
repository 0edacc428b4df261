/**
 * The ledger's transition records (DESIGN §6): every state change it accepted, whether it was
 * announced, and whether it has been queued for the webhooks yet. An announced transition is
 * recorded before it is queued, so a crash in between loses nothing: the alarm queues it later.
 */
import { iso } from "../../protocol/time.ts";
import type { State } from "../../protocol/verdict.ts";
import type { TransitionRecord } from "../alerts/event.ts";
import type { AttentionSeat } from "../fleet/activity.ts";

/** A cron run's transitions are queued when the run reports in; if it never does, the alarm queues them after this. */
const ORPHAN_AFTER_MS = 120_000;

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

  /** Marks a recorded transition announced, dated `at`, and waiting to be queued. */
  announce(id: string, at: number): void {
    this.sql.exec("UPDATE transitions SET alert = 1, queued = 0, at = ? WHERE id = ?", at, id);
  }

  get(id: string): TransitionRecord | null {
    const row = this.sql.exec<TransitionRow>("SELECT * FROM transitions WHERE id = ?", id).toArray()[0];
    return row ? toRecord(row) : null;
  }

  /** Takes the announced transitions `ids` that are not queued yet, marking them queued; with their hosts' labels. */
  claim(ids: readonly string[]): { transition: TransitionRecord; labels: string[] }[] {
    const claimed: { transition: TransitionRecord; labels: string[] }[] = [];
    for (const id of ids) {
      const row = this.sql
        .exec<TransitionRow>("SELECT * FROM transitions WHERE id = ? AND queued = 0", id)
        .toArray()[0];
      if (!row) continue;
      this.sql.exec("UPDATE transitions SET queued = 1 WHERE id = ?", id);
      claimed.push({ transition: toRecord(row), labels: JSON.parse(row.labels) as string[] });
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
