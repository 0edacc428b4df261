/**
 * Host warnings (DESIGN §5): things that are wrong with how a host reports, not with what it
 * reports, so they never change its state. Built from a beat record's metadata alone, so every
 * read face (host detail, status, dashboard, metrics) shows the same list from a KV list walk.
 */
import { duplicateActive } from "./duplicate.ts";

export type Warning = "clock_skew" | "duplicate_beacon";

/** Above this offset between a beat's signed `ts` and its arrival the host carries `clock_skew`. */
export const CLOCK_SKEW_WARNING_MS = 30_000;

export function hostWarnings(clockOffsetMs: number | null, duplicateAt: number | null, now: number): Warning[] {
  const out: Warning[] = [];
  if (clockOffsetMs !== null && Math.abs(clockOffsetMs) > CLOCK_SKEW_WARNING_MS) out.push("clock_skew");
  if (duplicateActive(duplicateAt, now)) out.push("duplicate_beacon");
  return out;
}
