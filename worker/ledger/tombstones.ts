/**
 * Deleted hosts (DESIGN §5, §6): a tombstone remembers a deleted incarnation (its epoch) so a beat
 * still in flight, a beat accepted from an edge's stale config, or a cron run's stale KV list
 * cannot bring it back into the ledger. Those last at most about a minute (KV propagation, the
 * 60 s config cache), so a tombstone expires after 10 minutes instead of being kept forever. One
 * is kept per incarnation: a host deleted, re-created and deleted again keeps both buried.
 */

/** Well past KV's ~60 s propagation and the beat path's 60 s config cache. */
export const TOMBSTONE_TTL_MS = 600_000;

export class Tombstones {
  constructor(private readonly sql: SqlStorage) {}

  put(host: string, epoch: string, now: number): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO tombstones (host, epoch, expires_at) VALUES (?, ?, ?)",
      host,
      epoch,
      now + TOMBSTONE_TTL_MS,
    );
  }

  /** Whether `epoch` of `host` was deleted (an expired tombstone still counts until it is pruned). */
  buries(host: string, epoch: string): boolean {
    return this.sql.exec("SELECT 1 FROM tombstones WHERE host = ? AND epoch = ?", host, epoch).toArray().length > 0;
  }

  /** Returns rows deleted. */
  prune(now: number): number {
    return this.sql.exec("DELETE FROM tombstones WHERE expires_at <= ?", now).rowsWritten;
  }
}
