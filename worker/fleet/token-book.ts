/**
 * Where enrollment tokens are kept and burned: the ledger (ledger/tokens.ts). The interface and the
 * pure judgement live here, free of Worker types, so enrollment need not import a layer above it
 * and Node tests can judge burns.
 */

/** A token's use: `burned` (this use won), `used` (an earlier one did), `unknown` (or expired, or another host's). */
export type TokenBurn = "burned" | "used" | "unknown";

export interface TokenBook {
  issueToken(host: string, hash: string, expiresAt: number, now: number): Promise<void> | void;
  burnToken(host: string, hash: string, now: number): Promise<TokenBurn> | TokenBurn;
}

export interface StoredToken {
  hash: string;
  expiresAt: number;
  usedAt: number | null;
}

/**
 * What using `hash` at `now` does to `stored`. The hashes are compared plainly: timing can at most
 * reveal a prefix of a SHA-256 digest, which does not help find a token that hashes to it.
 */
export function judgeBurn(stored: StoredToken | null, hash: string, now: number): TokenBurn {
  if (stored === null || stored.expiresAt <= now || stored.hash !== hash) return "unknown";
  return stored.usedAt === null ? "burned" : "used";
}
