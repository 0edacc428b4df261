/**
 * Enrollment tokens (DESIGN §5) live in the ledger, not in KV: KV has no compare-and-set and is
 * eventually consistent, so two enrollments with one token could both read "unused" and both
 * register a key. Here a burn is one synchronous read-and-write in the Durable Object, so of N
 * concurrent uses exactly one wins. Only a SHA-256 hash of the token is kept, one per host (a new
 * token replaces the last), until it expires; a used one stays until then so a second use
 * answers `token_used` instead of looking unknown.
 */
import { judgeBurn, type TokenBurn } from "../fleet/token-book.ts";

interface TokenRow extends Record<string, SqlStorageValue> {
  host: string;
  hash: string;
  expires_at: number;
  used_at: number | null;
}

export class EnrollmentTokens {
  constructor(private readonly sql: SqlStorage) {}

  /** Stores a new token for `host`, replacing its last; expired tokens of every host go too. */
  issue(host: string, hash: string, expiresAt: number, now: number): void {
    this.sql.exec("DELETE FROM enrollment_tokens WHERE expires_at <= ?", now);
    this.sql.exec(
      "INSERT OR REPLACE INTO enrollment_tokens (host, hash, expires_at, used_at) VALUES (?, ?, ?, NULL)",
      host,
      hash,
      expiresAt,
    );
  }

  /** Judges and, when it wins, marks the token used: no await in between, so only one use can win. */
  burn(host: string, hash: string, now: number): TokenBurn {
    const row = this.sql.exec<TokenRow>("SELECT * FROM enrollment_tokens WHERE host = ?", host).toArray()[0];
    const stored = row ? { hash: row.hash, expiresAt: row.expires_at, usedAt: row.used_at } : null;
    const outcome = judgeBurn(stored, hash, now);
    if (outcome === "burned") this.sql.exec("UPDATE enrollment_tokens SET used_at = ? WHERE host = ?", now, host);
    return outcome;
  }

  /** A deleted host's token goes with it. */
  drop(host: string): void {
    this.sql.exec("DELETE FROM enrollment_tokens WHERE host = ?", host);
  }
}
