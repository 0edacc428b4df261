/** systemd checks shared by the unit tests and the built-file tests. */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Writes the unit where systemd-analyze expects a unit of that name and verifies it. */
export function verifyUnit(dir: string, text: string) {
  const path = join(dir, "seatwatch-beacon.service");
  writeFileSync(path, text);
  const result = spawnSync("systemd-analyze", ["verify", path], { encoding: "utf8", timeout: 30_000 });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Options §3 forbids: each hides tmux sockets or /proc, or breaks V8. */
export const FORBIDDEN = [
  /^PrivateTmp=/m,
  /^DynamicUser=/m,
  /^ProtectHome=(yes|tmpfs|true|1|on)/m,
  /^ProcSubset=pid/m,
  /^PrivateNetwork=/m,
  /^MemoryDenyWriteExecute=/m,
  /^ProtectProc=(?!default$)/m,
];
