/**
 * The visible text of panes, for `--waiting-pattern` (DESIGN §3a): read locally with
 * `capture-pane -p`, matched on the host and never sent. One client per server asks for every
 * pane in one command list; each pane's text is preceded by a line holding a random nonce and the
 * pane id, which text printed in a pane cannot forge because it cannot know the nonce.
 */
import { randomBytes } from "node:crypto";
import { runBounded } from "../exec.ts";

/** A screen is rows × columns; more than this per pane is not a screen we match patterns in. */
const MAX_PANE_TEXT = 64 * 1024;

export interface CaptureTarget {
  tmux: string;
  socket: string;
  env?: NodeJS.ProcessEnv;
}

/** Pane id → visible text; panes that vanished, or a server that failed to answer, are simply absent. */
export async function capturePanes(target: CaptureTarget, panes: string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  if (panes.length === 0) return texts;
  const nonce = `seatwatch-${randomBytes(12).toString("hex")}`;
  const args = ["-u", "-S", target.socket];
  for (const [i, pane] of panes.entries()) {
    if (i > 0) args.push(";");
    args.push("display-message", "-p", "-t", pane, `${nonce} #{pane_id}`, ";", "capture-pane", "-p", "-t", pane);
  }
  const result = await runBounded(target.tmux, args, { env: target.env });
  // A pane closed since the query fails its commands (and tmux skips the rest): keep what came before.
  if (result.kind !== "exit") return texts;
  let current: string | null = null;
  let lines: string[] = [];
  const flush = () => {
    if (current !== null) texts.set(current, lines.join("\n").slice(-MAX_PANE_TEXT));
  };
  for (const line of result.stdout.split("\n")) {
    const match = line.startsWith(`${nonce} `) ? /^%\d+$/.exec(line.slice(nonce.length + 1)) : null;
    if (match) {
      flush();
      current = match[0];
      lines = [];
    } else if (current !== null) {
      lines.push(line);
    }
  }
  flush();
  return texts;
}
