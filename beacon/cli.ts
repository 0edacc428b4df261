/**
 * seatwatch-beacon: one binary, one command per concern (DESIGN §3), each in commands/. Exit codes
 * are part of the contract, so each command's --help lists them.
 *
 * This file is the dispatcher and the top-level help, and nothing else loads until a command runs:
 * `--help`, `--version` and `mark` (which agents' hooks start often) must not pay for the daemon,
 * the tmux observer or the HTTP client.
 */

import { writeSync } from "node:fs";
import type { Command } from "./commands/command.ts";
import { EXIT, UsageError } from "./exit.ts";

interface Entry {
  name: string;
  /** Its line in `seatwatch-beacon --help`: the synopsis, then what it does. */
  synopsis: string;
  summary: string;
  load(): Promise<Command>;
}

/** In the order `--help` lists them: set up, check, push, run, install. */
const COMMANDS: readonly Entry[] = [
  {
    name: "keygen",
    synopsis: "keygen",
    summary: "create this host's Ed25519 key pair and print the public key (whpk_…)",
    load: async () => (await import("./commands/keygen.ts")).keygen,
  },
  {
    name: "enroll",
    synopsis: "enroll --token T",
    summary: "register the public key with a one-time enrollment token from the admin",
    load: async () => (await import("./commands/enroll.ts")).enroll,
  },
  {
    name: "doctor",
    synopsis: "doctor",
    summary: "check everything that decides whether the beacon sees work, with fixes",
    load: async () => (await import("./commands/doctor.ts")).doctor,
  },
  {
    name: "once",
    synopsis: "once",
    summary: "take one sample, push it, print the Worker's verdict (--dry-run: print the beat)",
    load: async () => (await import("./commands/once.ts")).once,
  },
  {
    name: "run",
    synopsis: "run",
    summary: "the daemon: sample, push state changes and keep-alives, write the health file",
    load: async () => (await import("./commands/run.ts")).run,
  },
  {
    name: "unit",
    synopsis: "unit",
    summary: "print the systemd unit that runs `run` (--drop-in: the PATH drop-in)",
    load: async () => (await import("./commands/unit.ts")).unit,
  },
  {
    name: "hooks",
    synopsis: "hooks claude",
    summary: "print Claude Code hooks that mark seats (--install merges them into its settings)",
    load: async () => (await import("./commands/hooks.ts")).hooks,
  },
];

const TOP_HELP = `usage: seatwatch-beacon <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.synopsis.padEnd(16)} ${c.summary}\n`).join("")}  ${"mark STATE".padEnd(16)} inside a pane: mark its agent working, waiting (for a person) or done (exit 0 always)

Settings come from flags, else env SEATWATCH_URL / SEATWATCH_HOST / SEATWATCH_KEY, else --config FILE.
Run seatwatch-beacon <command> --help for its options and exit codes; --version prints the version.

Exit codes: 0 ok, 2 usage error (unknown command or option).
`;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [name, ...args] = argv;
  // `mark` runs inside agents' hooks and must never fail its caller, so it skips the strict prologue.
  if (name === "mark") return (await import("./commands/mark.ts")).mark(args, env);
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry) {
    const [{ runCommand }, command] = await Promise.all([import("./commands/command.ts"), entry.load()]);
    return runCommand(command, args, env);
  }
  if (name === "--version" || name === "-V") {
    const { BEACON_VERSION } = await import("./sample.ts");
    writeSync(1, `seatwatch-beacon ${BEACON_VERSION}\n`);
    return EXIT.ok;
  }
  if (name === undefined || name === "help" || name === "-h" || name === "--help") {
    // Straight to fd 1: process.stdout would first build a stream (node:stream, and node:net for a
    // pipe), a tenth of the start-up for a few lines of text.
    writeSync(1, TOP_HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  throw new UsageError(`unknown command ${JSON.stringify(name)}; run seatwatch-beacon --help`);
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`seatwatch-beacon: ${error.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    process.stderr.write(
      `seatwatch-beacon: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.internal;
  },
);
