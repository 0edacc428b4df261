/**
 * Decisions the beacon is built on (DESIGN §3): observing, pacing and pushing. Each number or list
 * sits here, once, with the reason for it.
 */

/** A tmux client can hang forever (a SIGSTOPped server, 3.0a client → 3.3a server); one sample must not. */
export const QUERY_TIMEOUT_MS = 2_000;

/**
 * After the client exits, how long its pipes may stay open. A 3.3a client talking to a 3.1c server
 * (or any wrapper that backgrounds a child) can exit while something else still holds stdout.
 */
export const EXIT_GRACE_MS = 250;

/** 200 panes of our format are ~20 KiB; anything past this is not a list-panes answer we can trust. */
export const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/**
 * Each query's free-text lines start with this many random bytes (tmux/query.ts): 128 bits, so a
 * process in a pane cannot guess them in advance, only read them while the query runs — which the
 * query detects.
 */
export const QUERY_NONCE_BYTES = 16;

/**
 * Foreground commands that mean "no agent here": when an agent crashes its pane usually survives
 * with the shell that launched it, and counting that pane would be a green lie.
 */
export const SHELLS: ReadonlySet<string> = new Set([
  "bash",
  "zsh",
  "sh",
  "dash",
  "fish",
  "ksh",
  "tcsh",
  "csh",
  "login",
]);

/** The PATH systemd gives a unit that sets none (systemd.exec(5), "Environment variables in spawned processes"). */
export const SYSTEMD_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Where tmux is installed when it is not on PATH (DESIGN §3 doctor); `~` is the beacon user's home. */
export const KNOWN_TMUX_DIRS = [
  "/usr/bin",
  "/usr/local/bin",
  "/home/linuxbrew/.linuxbrew/bin",
  "~/.linuxbrew/bin",
  "/opt/homebrew/bin",
  "~/.local/bin",
  "~/.nix-profile/bin",
  "/nix/var/nix/profiles/default/bin",
  "/run/current-system/sw/bin",
];

/** `run` defaults (DESIGN §3): a sample every 15 s, a state change confirmed by 2 samples, a keep-alive every 120 s. */
export const DEFAULT_SAMPLE_SECONDS = 15;
export const DEFAULT_CONFIRM = 2;
export const DEFAULT_KEEPALIVE_SECONDS = 120;

/** Seat-count changes that move no state are coalesced: at most one push a minute (KV writes cost money, §7). */
export const SEATS_PUSH_EVERY_MS = 60_000;

/**
 * Failed pushes are retried after 1 s, 2 s, 4 s … at most 60 s, each with ±25 % jitter so a fleet that
 * lost the Worker together does not come back in lock-step. 60 s keeps several retries inside the
 * default 300 s grace.
 */
export const RETRY_BASE_MS = 1_000;
export const RETRY_MAX_MS = 60_000;
export const RETRY_JITTER = 0.25;

/**
 * One push (connect + answer) may take this long. A hung Worker or proxy must not stall the daemon:
 * a late beat is worth less than the next fresh sample.
 */
export const PUSH_TIMEOUT_MS = 10_000;

/**
 * Idle connections are kept this long, so a state change and its retries reuse one TLS session;
 * keep-alive pushes (120 s apart) mostly open a new one, which is cheap at that rate.
 */
export const IDLE_CONNECTION_MS = 60_000;

/** The Worker's answers are small JSON; anything longer is not an answer we read. */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** A wall clock that moved this far against the monotonic clock has been stepped (explains a 409 replayed). */
export const CLOCK_STEP_MS = 2_000;

/** An operator's login shell may load nvm, brew shellenv and the like before printing its PATH. */
export const LOGIN_SHELL_TIMEOUT_MS = 10_000;

/**
 * Seats at work (DESIGN §3a). Evidence of work younger than a minute makes a seat working: four
 * samples at the default 15 s, and Claude Code's own idle notification comes after 60 s.
 */
export const DEFAULT_ACTIVE_WINDOW_SECONDS = 60;

/**
 * A pane's process tree is busy at ≥ 5 % of one core between two readings. Calibrated with
 * bench/busy-cpu.ts (README "Seats at work"): a sleep, bash, python3 and a `read` use 0; a node REPL
 * at its prompt at most 1-2 % in a 1 s interval (one GC tick) and 0.13 % over 15 s; a busy loop on a
 * loaded 2-core box 12-72 %. Spinners use 0.2-3 % — no threshold tells them from an idle Node, so
 * their output (window_activity) is what shows them working.
 */
export const DEFAULT_BUSY_CPU_PERCENT = 5;

/**
 * A pane never read before (every pane, for `once`) is read twice this far apart, so its CPU is
 * measured rather than assumed; at 100 ticks a second, 1 s resolves 1 %, five times finer than the threshold.
 */
export const FRESH_CPU_INTERVAL_MS = 1_000;
