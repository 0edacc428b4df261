/**
 * Decisions the beacon's observing half is built on (DESIGN §3). Each number or list sits here,
 * once, with the reason for it.
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
