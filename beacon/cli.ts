/**
 * seatwatch-beacon: one binary, one command per concern (DESIGN §3), each in commands/. Exit codes
 * are part of the contract, so each command's --help lists them.
 */

import { type Command, EXIT, runCommand } from "./commands/command.ts";
import { doctor } from "./commands/doctor.ts";
import { enroll } from "./commands/enroll.ts";
import { hooks } from "./commands/hooks.ts";
import { keygen } from "./commands/keygen.ts";
import { MARK_SYNOPSIS, mark } from "./commands/mark.ts";
import { once } from "./commands/once.ts";
import { run } from "./commands/run.ts";
import { unit } from "./commands/unit.ts";
import { UsageError } from "./config.ts";
import { BEACON_VERSION } from "./sample.ts";

/** In the order `--help` lists them: set up, check, push, run, install. */
const COMMANDS: readonly Command[] = [keygen, enroll, doctor, once, run, unit, hooks];

const TOP_HELP = `usage: seatwatch-beacon <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.synopsis.padEnd(16)} ${c.summary}\n`).join("")}  ${MARK_SYNOPSIS.padEnd(16)} inside a pane: mark its agent working, waiting (for a person) or done (exit 0 always)

Settings come from flags, else env SEATWATCH_URL / SEATWATCH_HOST / SEATWATCH_KEY, else --config FILE.
Run seatwatch-beacon <command> --help for its options and exit codes; --version prints the version.

Exit codes: 0 ok, 2 usage error (unknown command or option).
`;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [name, ...args] = argv;
  // `mark` runs inside agents' hooks and must never fail its caller, so it skips the strict prologue.
  if (name === "mark") return mark(args, env);
  const command = COMMANDS.find((c) => c.name === name);
  if (command) return runCommand(command, args, env);
  if (name === "--version" || name === "-V") {
    process.stdout.write(`seatwatch-beacon ${BEACON_VERSION}\n`);
    return EXIT.ok;
  }
  if (name === undefined || name === "help" || name === "-h" || name === "--help") {
    process.stdout.write(TOP_HELP);
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
