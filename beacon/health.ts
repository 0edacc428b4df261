/**
 * The local health file (DESIGN §3): what `run` saw at its last sample and how its last push went,
 * for local monitoring (a Nagios check, `jq`, a node exporter's textfile collector) that must not
 * depend on the Worker. Written atomically: a reader sees the old file or the new one, never half.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BeatServer } from "../protocol/beat.ts";

export const HEALTH_FILE = "health.json";

/** systemd's RuntimeDirectory= (the unit sets it), else the user's runtime dir, else /run/seatwatch. */
export function healthPath(env: NodeJS.ProcessEnv): string {
  // RuntimeDirectory= with several directories sets a colon-separated list; ours is the first.
  const runtime = env.RUNTIME_DIRECTORY?.split(":")[0];
  if (runtime) return join(runtime, HEALTH_FILE);
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, "seatwatch", HEALTH_FILE);
  return join("/run/seatwatch", HEALTH_FILE);
}

export interface Health {
  host: string;
  instance: string;
  pid: number;
  /** ISO 8601 time of the sample this file describes. */
  sampled_at: string;
  observed: "ok" | "error";
  reason: string | null;
  seats_seen: number;
  idle: number;
  servers: BeatServer[];
  /** The Worker's verdict from the last accepted push (null before the first). */
  state: string | null;
  min_seats: number | null;
  last_accepted_at: string | null;
  last_push: {
    at: string;
    seq: number;
    cause: string;
    result: "accepted" | "refused" | "unreachable";
    status: number | null;
    code: string | null;
    message: string | null;
  } | null;
  /** Failed pushes since the last accepted one, and when the next retry goes. */
  failures: number;
  next_retry_at: string | null;
}

/** Writes `health` to `path` through a temp file and rename(2); creates the directory if needed. */
export function writeHealth(path: string, health: Health): void {
  mkdirSync(join(path, ".."), { recursive: true, mode: 0o755 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(health, null, 2)}\n`, { mode: 0o644 });
  renameSync(temp, path);
}
