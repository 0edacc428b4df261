/**
 * `tmux -V` → "3.3a" (or "next-3.4", "openbsd-7.4"), or null when the binary cannot say. tmux
 * prints its program name, not "tmux", before the version: run as /proc/PID/exe (auto mode) it
 * says "exe 1.8", so the first word is dropped whatever it is.
 */
import { runBounded } from "../exec.ts";

export async function tmuxVersion(tmux: string): Promise<string | null> {
  const result = await runBounded(tmux, ["-V"]);
  if (result.kind !== "exit" || result.code !== 0) return null;
  // The protocol keeps versions to 64 characters.
  return result.stdout.trim().replace(/^\S+ /, "").slice(0, 64) || null;
}
