/**
 * Runs a client program with hard bounds (DESIGN §3 "Per call"): a timeout that ends in SIGKILL,
 * and an answer as soon as the child exits, even when a grandchild still holds its stdout.
 */
import { spawn } from "node:child_process";
import { EXIT_GRACE_MS, MAX_OUTPUT_BYTES, QUERY_TIMEOUT_MS } from "./limits.ts";

export type RunResult =
  | {
      kind: "exit";
      code: number | null;
      signal: NodeJS.Signals | null;
      stdout: string;
      stderr: string;
      /** The child exited but its pipes were still open after the grace period (a grandchild holds them). */
      pipesHeld: boolean;
      /** Output went past MAX_OUTPUT_BYTES and was cut. */
      truncated: boolean;
    }
  | { kind: "timeout" }
  | { kind: "spawn_error"; code: string; message: string };

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  graceMs?: number;
}

export function runBounded(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? QUERY_TIMEOUT_MS;
  const graceMs = options.graceMs ?? EXIT_GRACE_MS;
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], env: options.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let truncated = false;
    let open = 2;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let onPipesClosed: (() => void) | undefined;

    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      if (bytes + chunk.length > MAX_OUTPUT_BYTES) {
        truncated = true;
        return;
      }
      bytes += chunk.length;
      into.push(chunk);
    };
    const closed = () => {
      open -= 1;
      if (open === 0) onPipesClosed?.();
    };
    child.stdout.on("data", collect(out)).on("close", closed);
    child.stderr.on("data", collect(err)).on("close", closed);

    const finish = (result: RunResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Whoever still holds the other ends (a backgrounded grandchild) must not keep us, or the event loop, waiting.
      child.stdout.destroy();
      child.stderr.destroy();
      resolve(result);
    };

    timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish({ kind: "timeout" });
    }, timeoutMs);

    child.on("error", (error: NodeJS.ErrnoException) => {
      finish({ kind: "spawn_error", code: error.code ?? "EUNKNOWN", message: error.message });
    });

    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const answer = (pipesHeld: boolean) =>
        finish({
          kind: "exit",
          code,
          signal,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
          pipesHeld,
          truncated,
        });
      if (open === 0) return answer(false);
      const grace = setTimeout(() => answer(true), graceMs);
      onPipesClosed = () => {
        clearTimeout(grace);
        answer(false);
      };
    });
  });
}
