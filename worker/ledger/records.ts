/**
 * The ledger's record of each host (announce.ts's `HostRecord`), one row per host: the last
 * observation it accepted and what receivers last heard. Indexed on the times the alarm wakes for.
 */
import type { State } from "../../protocol/verdict.ts";
import type { HostRecord } from "./announce.ts";

interface HostRow extends Record<string, SqlStorageValue> {
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

/** A host's state and since as the ledger recorded them: what the read faces show. */
export interface LedgerHostState {
  state: State;
  since: number;
}

function toRecord(row: HostRow): HostRecord {
  return {
    host: row.id,
    epoch: row.epoch,
    state: row.state,
    reason: row.reason,
    seats: row.seats,
    minSeats: row.min_seats,
    lastSeen: row.last_seen,
    since: row.since,
    at: row.at,
    labels: JSON.parse(row.labels) as string[],
    alertAfter: row.alert_after,
    repeatEvery: row.repeat_every,
    announced: row.announced,
    transitionId: row.transition_id,
    holdUntil: row.hold_until,
    remindAt: row.remind_at,
    reminders: row.reminders,
  };
}

export class HostRecords {
  constructor(private readonly sql: SqlStorage) {}

  get(id: string): HostRecord | null {
    const row = this.sql.exec<HostRow>("SELECT * FROM hosts WHERE id = ?", id).toArray()[0];
    return row ? toRecord(row) : null;
  }

  put(h: HostRecord): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO hosts (id, epoch, state, reason, since, last_seen, at, seats, min_seats, labels,
         alert_after, repeat_every, announced, transition_id, hold_until, remind_at, reminders)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      h.host,
      h.epoch,
      h.state,
      h.reason,
      h.since,
      h.lastSeen,
      h.at,
      h.seats,
      h.minSeats,
      JSON.stringify(h.labels),
      h.alertAfter,
      h.repeatEvery,
      h.announced,
      h.transitionId,
      h.holdUntil,
      h.remindAt,
      h.reminders,
    );
  }

  delete(id: string): void {
    this.sql.exec("DELETE FROM hosts WHERE id = ?", id);
  }

  /** Hosts whose `alertAfter` hold has fallen due by `now`. */
  heldUntil(now: number): HostRecord[] {
    return this.sql.exec<HostRow>("SELECT * FROM hosts WHERE hold_until <= ?", now).toArray().map(toRecord);
  }

  /** Hosts whose next reminder has fallen due by `now`. */
  remindersDue(now: number): HostRecord[] {
    return this.sql.exec<HostRow>("SELECT * FROM hosts WHERE remind_at <= ?", now).toArray().map(toRecord);
  }

  /** The earliest hold or reminder to wake for; null when no host waits for either. */
  nextDue(): number | null {
    return this.sql
      .exec<{ at: number | null }>(
        `SELECT min(at) AS at FROM (
           SELECT min(hold_until) AS at FROM hosts WHERE hold_until IS NOT NULL
           UNION ALL SELECT min(remind_at) FROM hosts WHERE remind_at IS NOT NULL)`,
      )
      .one().at;
  }

  /** Every host's recorded state and since, or only `only`'s. */
  states(only?: string): Record<string, LedgerHostState> {
    const rows =
      only === undefined
        ? this.sql.exec<{ id: string; state: State; since: number }>("SELECT id, state, since FROM hosts")
        : this.sql.exec<{ id: string; state: State; since: number }>(
            "SELECT id, state, since FROM hosts WHERE id = ?",
            only,
          );
    const states: Record<string, LedgerHostState> = {};
    for (const row of rows) states[row.id] = { state: row.state, since: row.since };
    return states;
  }
}
