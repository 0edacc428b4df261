/**
 * seatwatch: the operator's CLI (DESIGN §9). One file per command under commands/; this file
 * dispatches, and turns the three kinds of failure into the documented exit codes.
 */
import { version } from "../package.json";
import { UsageError } from "./args.ts";
import { ApiRefused, Unreachable } from "./client.ts";
import { apply } from "./commands/apply.ts";
import type { Command } from "./commands/command.ts";
import { events } from "./commands/events.ts";
import { exportCommand } from "./commands/export.ts";
import { hosts } from "./commands/hosts.ts";
import { maintenance } from "./commands/maintenance.ts";
import { status } from "./commands/status.ts";
import { webhooks } from "./commands/webhooks.ts";
import { EXIT, EXIT_HELP } from "./exit.ts";
import type { Io } from "./output.ts";

const COMMANDS: Record<string, Command> = {
  status,
  hosts,
  webhooks,
  events,
  maintenance,
  apply,
  export: exportCommand,
};

const TOP_HELP = `usage: seatwatch <command> [options]

The operator's CLI for a seatwatch Worker: the fleet's state, hosts, webhooks, maintenance
windows, and the fleet as a file (apply / export).

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`)
  .join("\n")}

Settings (never asked for; found here):
  SEATWATCH_URL          the Worker, e.g. https://seatwatch.example.workers.dev (or --url)
  SEATWATCH_ADMIN_TOKEN  the Worker's ADMIN_TOKEN, for changes and webhook listings (or --token-file FILE;
                         against a local Worker, ADMIN_TOKEN from ./.dev.vars as npm start writes it)
  SEATWATCH_READ_TOKEN   the Worker's READ_TOKEN, for reads, when the Worker sets one

Run seatwatch <command> --help for its options. --json on every command prints one JSON document.
  --version              print the version

${EXIT_HELP}
  4  status: the fleet is not healthy (what GET /v1/check answers 503 for)
`;

async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  if (name === "--version" || name === "-V") {
    io.stdout.write(`${version}\n`);
    return EXIT.ok;
  }
  if (name === undefined || name === "help" || name === "-h" || name === "--help") {
    io.stdout.write(TOP_HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}; run seatwatch --help`);
  return command.run(args, io);
}

function fail(io: Io, json: boolean, code: string, message: string, hint: string | null, status: number | null): void {
  io.stderr.write(`seatwatch: ${message}\n${hint ? `  ${hint}\n` : ""}`);
  if (json) io.stdout.write(`${JSON.stringify({ error: { code, message }, status, hint }, null, 2)}\n`);
}

/**
 * Exits once stdout and stderr are flushed, instead of waiting for fetch's idle keep-alive
 * connection to the Worker to wind down (about half a second of every command otherwise).
 */
function exit(code: number): void {
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

function report(error: unknown): number {
  if (error instanceof UsageError) {
    fail(io, json, "usage", error.message, null, null);
    return EXIT.usage;
  }
  if (error instanceof ApiRefused) {
    fail(io, json, error.code, error.message, error.hint, error.status);
    return EXIT.refused;
  }
  if (error instanceof Unreachable) {
    fail(io, json, "unreachable", error.message, error.hint, error.status);
    return EXIT.unreachable;
  }
  io.stderr.write(`seatwatch: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.internal;
}

const argv = process.argv.slice(2);
const io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin };
const json = argv.includes("--json");
main(argv, io).then(exit, (error: unknown) => exit(report(error)));
