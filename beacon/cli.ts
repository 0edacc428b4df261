/**
 * seatwatch-beacon: one binary, one command per concern (DESIGN §3). Exit codes are part of the
 * contract, so each command's --help lists them.
 */
import { validateBeat } from "../protocol/beat.ts";
import { hostId, OBSERVE_HELP, OBSERVE_OPTIONS, observeConfig, parseCommandArgs, UsageError } from "./config.ts";
import { renderDoctor, runDoctor } from "./doctor.ts";
import { newIdentity, type Sample, takeSample } from "./sample.ts";
import { createTmuxObserver } from "./tmux/observer.ts";

const EXIT = {
  ok: 0,
  /** The beacon could not observe (once --dry-run) or would be blind (doctor). */
  blind: 1,
  usage: 2,
  /** doctor: the beacon sees seats, but a check failed. */
  problems: 3,
} as const;

const TOP_HELP = `usage: seatwatch-beacon <command> [options]

Commands:
  once --dry-run   take one sample and print the beat it would send
  doctor           check everything that decides whether the beacon sees work, with fixes

Run seatwatch-beacon <command> --help for its options and exit codes.

Exit codes: 0 ok, 2 usage error (unknown command or option).
`;

const ONCE_HELP = `usage: seatwatch-beacon once --dry-run [--json] [options]

Takes one sample of every tmux server in scope and prints the beat it would send
(--json: the beat alone, as JSON). Needs no URL and no key. Pushing arrives with part 2
of the beacon; until then once requires --dry-run.

${OBSERVE_HELP}

Exit codes:
  0  the beat says observed "ok" (every server in scope answered; seats may be 0)
  1  the beat says observed "error" (its reason says why); the beat is still printed
  2  usage or configuration error (the message names the flag or env var)
`;

const DOCTOR_HELP = `usage: seatwatch-beacon doctor [--json] [options]

Checks every tmux binary (PATH and known places), every running tmux server and the binary
that started it, what the beacon's PATH and a systemd unit's default PATH would reach, and
idle panes whose agent has exited. Each problem is marked ✗ with its fix.

${OBSERVE_HELP}

Exit codes:
  0  every check passed
  1  the beacon would be blind: it sees zero seats or cannot observe
  2  usage or configuration error
  3  the beacon sees seats, but at least one check failed (✗)
`;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "once":
      return once(args, env);
    case "doctor":
      return doctor(args, env);
    case undefined:
    case "help":
    case "-h":
    case "--help":
      process.stdout.write(TOP_HELP);
      return command === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}; run seatwatch-beacon --help`);
  }
}

async function once(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const values = parseCommandArgs("once", args, { ...OBSERVE_OPTIONS, "dry-run": { type: "boolean" } });
  if (values.help) {
    process.stdout.write(ONCE_HELP);
    return EXIT.ok;
  }
  if (!values["dry-run"]) throw new UsageError("once: pushing is not built yet; pass --dry-run to print the beat");
  const config = observeConfig(values, env);
  const identity = newIdentity(hostId(values.host, env));
  const sample = await takeSample(createTmuxObserver(config.mode), config.rule, identity, 0);
  const checked = validateBeat(sample.beat);
  if (!checked.ok) {
    // A beat the Worker would refuse is a beacon bug; say so rather than print it as if it were fine.
    throw new Error(`built an invalid beat: ${checked.errors.map((e) => e.message).join("; ")}`);
  }
  process.stdout.write(config.json ? `${JSON.stringify(sample.beat)}\n` : renderSample(sample));
  return sample.beat.observed === "ok" ? EXIT.ok : EXIT.blind;
}

function renderSample({ beat, observation, count }: Sample): string {
  const lines = [
    `host ${beat.host}: observed ${beat.observed}${beat.reason ? ` (${beat.reason})` : ""}, ${beat.seats} seats, ${beat.idle} idle, ${count.dead} dead`,
  ];
  for (const server of observation.servers) {
    const state = server.skipped
      ? "skipped"
      : server.error
        ? `✗ ${server.error.reason}`
        : `${server.panes.length} panes`;
    lines.push(
      `  server pid ${server.pid} ${server.socket || "(socket hidden)"} ${server.exe} ${server.version}: ${state}`,
    );
  }
  if (observation.error) lines.push(`✗ ${observation.error.message}`);
  for (const pane of count.deadPanes) {
    lines.push(`  dead pane ${pane.id} (session ${pane.session}) exited ${pane.deadStatus ?? "with unknown status"}`);
  }
  lines.push(`commands: ${JSON.stringify(beat.commands)}`, "beat:", JSON.stringify(beat, null, 2));
  return `${lines.join("\n")}\n`;
}

async function doctor(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const values = parseCommandArgs("doctor", args, OBSERVE_OPTIONS);
  if (values.help) {
    process.stdout.write(DOCTOR_HELP);
    return EXIT.ok;
  }
  const config = observeConfig(values, env);
  let hostProblem: string | undefined;
  try {
    hostId(values.host, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    hostProblem = error.message;
  }
  const report = await runDoctor({ mode: config.mode, rule: config.rule, hostProblem, env });
  process.stdout.write(config.json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report));
  if (report.blind) return EXIT.blind;
  return report.checks.every((check) => check.ok) ? EXIT.ok : EXIT.problems;
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
    process.exitCode = 70;
  },
);
