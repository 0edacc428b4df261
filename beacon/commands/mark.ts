/**
 * `mark working|waiting|done [--why WHY]` (DESIGN §3a): an agent (or its hook) says what its pane
 * is doing. It never breaks its caller: exit 0 whatever happens, nothing on stdout, no network,
 * silent outside tmux. `SEATWATCH_MARK_DEBUG=1` says on stderr why a mark was not written.
 */
import { MARK_STATES, type MarkState, writeMark } from "../marks.ts";

export const MARK_HELP = `usage: seatwatch-beacon mark working|waiting|done [--why permission|question|TEXT]

Records what this tmux pane's agent is doing, for the beacon's seat activity: working; waiting for
a person's decision (a permission prompt, a question: --why says which); or done with its turn and
sitting at its prompt (quiet, not waiting). Run it inside the pane, from the agent or one of its
hooks: the mark is bound to the pane ($TMUX, $TMUX_PANE) and to the agent — the foreground process
group of the pane's terminal — and lapses when either is gone, so a restarted agent never inherits
an old wait. It is written atomically to $XDG_RUNTIME_DIR/seatwatch/marks/ (else
/tmp/seatwatch-<uid>/marks/), where a beacon finds it even as another user or under systemd.
For Claude Code, \`seatwatch-beacon hooks claude --install\` sets this up without starting Node per event.

  --why WHY             what a wait is for: permission, question, or up to 64 characters of text
  -h, --help            this help

Exit codes:
  0  always — the mark was written, or it could not be (outside tmux, no agent, unwritable
     directory) and SEATWATCH_MARK_DEBUG=1 says why on stderr; a mark never fails its caller
`;

export async function mark(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    process.stdout.write(MARK_HELP);
    return 0;
  }
  const debug = (message: string) => {
    if (env.SEATWATCH_MARK_DEBUG === "1") process.stderr.write(`seatwatch-beacon mark: ${message}\n`);
  };
  try {
    const [state, ...rest] = args;
    let why: string | null = null;
    if (rest[0] === "--why" && rest.length === 2) why = rest[1] ?? null;
    else if (rest[0]?.startsWith("--why=") && rest.length === 1) why = rest[0].slice("--why=".length);
    else if (rest.length > 0) {
      debug(`unexpected ${JSON.stringify(rest.join(" "))}; usage: mark working|waiting|done [--why WHY]`);
      return 0;
    }
    if (!MARK_STATES.includes(state as MarkState)) {
      debug(`${JSON.stringify(state ?? "")} is not a state; give working, waiting or done`);
      return 0;
    }
    const problem = writeMark(env, state as MarkState, why);
    if (problem !== null) debug(problem);
  } catch (error) {
    debug((error as Error).message);
  }
  return 0;
}
