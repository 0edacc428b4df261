/**
 * seatwatch-beacon: one binary, one command per concern (DESIGN §3). Exit codes are part of the
 * contract, so each command's --help lists them.
 */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { validateBeat } from "../protocol/beat.ts";
import { hooks } from "./commands/hooks.ts";
import { mark } from "./commands/mark.ts";
import {
  hostId,
  keyPath,
  OBSERVE_HELP,
  OBSERVE_OPTIONS,
  observeConfig,
  parseCommandArgs,
  RUN_OPTIONS,
  runIntervals,
  UsageError,
  WORKER_HELP,
  WORKER_OPTIONS,
  withConfigFile,
  workerUrl,
} from "./config.ts";
import { type DaemonEvent, runDaemon } from "./daemon.ts";
import { renderDoctor, runDoctor } from "./doctor.ts";
import { enroll } from "./enroll.ts";
import { healthPath } from "./health.ts";
import { type BeaconKey, createKeyFile, defaultKeyPath, KeyExistsError, loadKeyFile } from "./keyfile.ts";
import { readPasswd } from "./proc.ts";
import { ClockWatch, type PushResult, pushBeat, WorkerClient } from "./push.ts";
import { newIdentity, type Sample, sampleActivity, takeSample } from "./sample.ts";
import { createTmuxObserver } from "./tmux/observer.ts";
import { DROP_IN_PATH, loginShellPath, renderDropIn, renderUnit, UNIT_NAME } from "./unit.ts";

const EXIT = {
  ok: 0,
  /** once --dry-run: could not observe; doctor: would be blind; once/enroll: refused; keygen: a key exists. */
  failed: 1,
  usage: 2,
  /** doctor: sees seats but a check failed; once/enroll: the Worker could not be reached or failed (5xx). */
  problems: 3,
  internal: 70,
} as const;

const TOP_HELP = `usage: seatwatch-beacon <command> [options]

Commands:
  keygen           create this host's Ed25519 key pair and print the public key (whpk_…)
  enroll --token T register the public key with a one-time enrollment token from the admin
  doctor           check everything that decides whether the beacon sees work, with fixes
  once             take one sample, push it, print the Worker's verdict (--dry-run: print the beat)
  run              the daemon: sample, push state changes and keep-alives, write the health file
  unit             print the systemd unit that runs \`run\` (--drop-in: the PATH drop-in)
  mark STATE       inside a pane: mark its agent working, waiting (for a person) or done (exit 0 always)
  hooks claude     print Claude Code hooks that mark seats (--install merges them into its settings)

Settings come from flags, else env SEATWATCH_URL / SEATWATCH_HOST / SEATWATCH_KEY, else --config FILE.
Run seatwatch-beacon <command> --help for its options and exit codes.

Exit codes: 0 ok, 2 usage error (unknown command or option).
`;

const ONCE_HELP = `usage: seatwatch-beacon once [--dry-run] [--json] [options]

Takes one sample of every tmux server in scope, signs it, pushes it to the Worker once (no retry)
and prints the Worker's verdict (--json: {accepted, status, state, reason, minSeats, error,
explanation, beat}). With --dry-run it pushes nothing and prints the beat it would send
(--json: the beat alone); --dry-run needs no URL and no key.

${OBSERVE_HELP}
${WORKER_HELP}
  --dry-run             print the beat instead of pushing it

Exit codes:
  0  the Worker accepted the beat (whatever state it derived from it)
     --dry-run: the beat says observed "ok" (every server in scope answered; seats may be 0)
  1  the Worker refused the beat (its error code and an explanation are printed)
     --dry-run: the beat says observed "error" (its reason says why); the beat is still printed
  2  usage or configuration error, or a key file that is refused (the message says the fix)
  3  the Worker could not be reached, did not answer in time, or failed (5xx): try again
`;

const RUN_HELP = `usage: seatwatch-beacon run [options]

The daemon. Samples every --sample seconds; pushes a state change (observed or reason changing,
seats reaching or leaving zero, seats crossing the Worker's minSeats) once --confirm consecutive
samples show it; pushes other seat-count changes at most once a minute; pushes a keep-alive every
--keepalive seconds. Each push and each retry is a fresh sample, freshly signed. Failed pushes are
retried with exponential backoff and jitter (1 s … 60 s, Retry-After honoured); it never exits
because of the Worker. HTTPS_PROXY / HTTP_PROXY / NO_PROXY are honoured.
After every sample it writes a health file atomically: $RUNTIME_DIRECTORY/health.json, else
$XDG_RUNTIME_DIR/seatwatch/health.json, else /run/seatwatch/health.json.
SIGTERM or SIGINT: the push in flight finishes, then it exits 0.

${OBSERVE_HELP}
${WORKER_HELP}
  --sample SECONDS      sample interval (default 15)
  --confirm N           samples a state change must hold before it is pushed (default 2)
  --keepalive SECONDS   push at least this often (default 120)
  --json                one JSON event per line on stdout (samples and pushes) instead of the log on stderr

Exit codes:
  0  stopped by SIGTERM or SIGINT
  2  usage or configuration error, or a key file that is refused (the message says the fix)
  70 internal error (systemd restarts it)
`;

const DOCTOR_HELP = `usage: seatwatch-beacon doctor [--json] [options]

Checks every tmux binary (PATH and known places), every running tmux server and the binary
that started it, what the beacon's PATH and a systemd unit's default PATH would reach, and
idle panes whose agent has exited. Each problem is marked ✗ with its fix.

${OBSERVE_HELP}
  --config FILE         the JSON settings file \`run\` uses, so doctor checks what the daemon does

Exit codes:
  0  every check passed
  1  the beacon would be blind: it sees zero seats or cannot observe
  2  usage or configuration error
  3  the beacon sees seats, but at least one check failed (✗)
`;

const KEYGEN_HELP = `usage: seatwatch-beacon keygen [--key PATH] [--json]

Creates this host's Ed25519 key pair: the private key goes to PATH (PKCS#8 PEM, mode 0600, owned
by you; the directory is created 0700), the public key (whpk_…) is printed on stdout — give it to
the admin, or register it yourself with \`enroll --token T\`. Never overwrites an existing key.

  --key PATH            where to write it (env SEATWATCH_KEY; default $XDG_CONFIG_HOME/seatwatch/key.pem,
                        /etc/seatwatch/key.pem as root)
  --json                print {"key": PATH, "publicKey": "whpk_…"}
  -h, --help            this help

Exit codes:
  0  created; the public key is on stdout
  1  a key file already exists there (its public key is in the message)
  2  usage error, or the file cannot be created
`;

const ENROLL_HELP = `usage: seatwatch-beacon enroll --token TOKEN [options]

Registers this host's public key with the Worker, using a one-time enrollment token the admin
issued for this host (POST /v1/hosts/<host>/enrollment). The request is signed with the key being
registered. The admin token is never needed here, and never accepted.

  --token TOKEN         the enrollment token (swe_…)
  --host ID             host id (env SEATWATCH_HOST; default: the hostname, lower-cased)
${WORKER_HELP}
  --json                print the Worker's answer as JSON
  -h, --help            this help

Exit codes:
  0  enrolled; the host's policy is printed
  1  refused: invalid_token (unknown, expired, other host), token_used, key_registered, … (explained)
  2  usage or configuration error, or a key file that is refused
  3  the Worker could not be reached, did not answer in time, or failed (5xx): try again
`;

const UNIT_HELP = `usage: seatwatch-beacon unit [--drop-in] [--json] [--exec PATH] [options]

Prints a systemd unit (${UNIT_NAME}) whose ExecStart runs this beacon file (or --exec PATH) with
\`run\` and the options given here; URL, key path and host id go into Environment= lines.
Restart=always, RestartSec=10, RuntimeDirectory=seatwatch, LANG=C.UTF-8; nothing that hides tmux
sockets or /proc (PrivateTmp, DynamicUser, ProtectHome, ProcSubset=pid, ProtectProc=,
PrivateNetwork) or breaks V8 (MemoryDenyWriteExecute).
--drop-in prints ${DROP_IN_PATH} instead: the PATH of your login shell, pinned, so the unit
reaches the same tools you do.

${WORKER_HELP}
  --exec PATH           the beacon file ExecStart runs (default: this one); it must exist
  --drop-in             print the PATH drop-in only (needs no URL and no key)
  --json                print {"unit": "…", "dropIn": "…"}
  --sample, --confirm, --keepalive and the observing options below are passed on to run.

${OBSERVE_HELP}

Exit codes:
  0  printed
  2  usage or configuration error (a missing URL or key, a refused key file, no such --exec file)
`;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "once":
      return once(args, env);
    case "run":
      return run(args, env);
    case "doctor":
      return doctor(args, env);
    case "keygen":
      return keygen(args, env);
    case "enroll":
      return enrollCommand(args, env);
    case "unit":
      return unit(args, env);
    case "mark":
      return mark(args, env);
    case "hooks":
      return hooks(args, env);
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

/** The Worker URL and the checked key: what once, run and enroll need. */
async function workerSettings(
  values: { url?: string; key?: string },
  env: NodeJS.ProcessEnv,
): Promise<{ url: string; key: BeaconKey }> {
  const url = workerUrl(values.url, env);
  const key = await loadKeyFile(keyPath(values.key, env, defaultKeyPath(env)));
  return { url, key };
}

async function once(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const options = { ...OBSERVE_OPTIONS, ...WORKER_OPTIONS, "dry-run": { type: "boolean" } } as const;
  const parsed = parseCommandArgs("once", args, options);
  if (parsed.help) {
    process.stdout.write(ONCE_HELP);
    return EXIT.ok;
  }
  const values = withConfigFile(parsed, options, env);
  const config = observeConfig(values, env);
  const identity = newIdentity(hostId(values.host, env));
  const settings = values["dry-run"] ? null : await workerSettings(values, env);
  const activity = sampleActivity(config.activity, env);
  const sample = await takeSample(createTmuxObserver(config.mode), config.rule, identity, 0, activity);
  const checked = validateBeat(sample.beat);
  if (!checked.ok) {
    // A beat the Worker would refuse is a beacon bug; say so rather than print it as if it were fine.
    throw new Error(`built an invalid beat: ${checked.errors.map((e) => e.message).join("; ")}`);
  }
  if (settings === null) {
    process.stdout.write(config.json ? `${JSON.stringify(sample.beat)}\n` : renderSample(sample));
    return sample.beat.observed === "ok" ? EXIT.ok : EXIT.failed;
  }
  const client = new WorkerClient(settings.url, settings.key.privateKey, { env });
  const result = await pushBeat(client, sample.beat, {
    host: identity.host,
    publicKey: settings.key.publicKey,
    clock: new ClockWatch(),
  });
  await client.close();
  if (config.json) {
    process.stdout.write(`${JSON.stringify({ ...verdictJson(result), beat: sample.beat })}\n`);
  } else {
    process.stdout.write(`${renderSample(sample)}${renderPush(identity.host, result)}\n`);
  }
  if (result.kind === "accepted") return EXIT.ok;
  return result.kind === "refused" && result.status < 500 ? EXIT.failed : EXIT.problems;
}

function verdictJson(result: PushResult) {
  switch (result.kind) {
    case "accepted":
      return {
        accepted: true,
        status: result.status,
        state: result.state,
        reason: result.reason,
        minSeats: result.minSeats,
      };
    case "refused":
      return {
        accepted: false,
        status: result.status,
        error: { code: result.code, message: result.message },
        explanation: result.explanation,
      };
    case "unreachable":
      return { accepted: false, status: null, error: { code: "unreachable", message: result.message } };
  }
}

function renderPush(host: string, result: PushResult): string {
  switch (result.kind) {
    case "accepted":
      return `accepted: host ${host} is ${result.state}${result.reason ? ` (${result.reason})` : ""} (minSeats ${result.minSeats})`;
    case "refused":
      return `refused: ${result.status} ${result.code}: ${result.message}\n  ${result.explanation}`;
    case "unreachable":
      return `not delivered: ${result.message}`;
  }
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

async function run(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const options = { ...OBSERVE_OPTIONS, ...WORKER_OPTIONS, ...RUN_OPTIONS } as const;
  const parsed = parseCommandArgs("run", args, options);
  if (parsed.help) {
    process.stdout.write(RUN_HELP);
    return EXIT.ok;
  }
  const values = withConfigFile(parsed, options, env);
  const config = observeConfig(values, env);
  const identity = newIdentity(hostId(values.host, env));
  const intervals = runIntervals(values);
  const { url, key } = await workerSettings(values, env);
  const health = healthPath(env);
  const client = new WorkerClient(url, key.privateKey, { env });
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  const log = (line: string) => process.stderr.write(`seatwatch-beacon: ${line}\n`);
  if (!config.json) {
    log(
      `run: host ${identity.host} → ${url}, sample ${intervals.sampleMs / 1000} s, confirm ${intervals.confirm}, keep-alive ${intervals.keepaliveMs / 1000} s, key ${key.path} (${key.publicKey}), health file ${health}`,
    );
  }
  await runDaemon({
    observer: createTmuxObserver(config.mode),
    rule: config.rule,
    activity: sampleActivity(config.activity, env),
    identity,
    client,
    publicKey: key.publicKey,
    sampleMs: intervals.sampleMs,
    pacing: { confirm: intervals.confirm, keepaliveMs: intervals.keepaliveMs },
    healthPath: health,
    signal: controller.signal,
    onEvent: config.json ? (event) => process.stdout.write(`${JSON.stringify(event)}\n`) : logEvent(log),
  });
  await client.close();
  if (!config.json) log("stopped");
  process.off("SIGTERM", stop);
  process.off("SIGINT", stop);
  return EXIT.ok;
}

/** The journal gets what an operator acts on: state pushes, failures, recoveries; routine keep-alives stay quiet. */
function logEvent(log: (line: string) => void): (event: DaemonEvent) => void {
  return (event) => {
    if (event.event === "health_error") {
      log(`cannot write the health file ${event.path}: ${event.message}`);
      return;
    }
    if (event.event !== "push") return;
    const { result } = event;
    const what = `push seq ${event.seq} (${event.cause}${event.attempt > 1 ? `, attempt ${event.attempt}` : ""})`;
    if (result.kind === "accepted") {
      if (event.cause !== "keepalive" || event.attempt > 1) {
        log(`${what}: accepted, state ${result.state}${result.reason ? ` (${result.reason})` : ""}`);
      }
      return;
    }
    const retry = event.retryAt === null ? "" : `; retrying in ${((event.retryAt - event.at) / 1000).toFixed(1)} s`;
    if (result.kind === "refused") {
      log(`${what}: refused ${result.status} ${result.code}: ${result.message} — ${result.explanation}${retry}`);
    } else {
      log(`${what}: ${result.message}${retry}`);
    }
  };
}

async function doctor(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  // The same settings as `run` (incl. --config), so doctor checks what the daemon will do.
  const options = { ...OBSERVE_OPTIONS, config: WORKER_OPTIONS.config } as const;
  const parsed = parseCommandArgs("doctor", args, options);
  if (parsed.help) {
    process.stdout.write(DOCTOR_HELP);
    return EXIT.ok;
  }
  const values = withConfigFile(parsed, options, env);
  const config = observeConfig(values, env);
  let hostProblem: string | undefined;
  try {
    hostId(values.host, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    hostProblem = error.message;
  }
  const report = await runDoctor({ mode: config.mode, rule: config.rule, activity: config.activity, hostProblem, env });
  process.stdout.write(config.json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report));
  if (report.blind) return EXIT.failed;
  return report.checks.every((check) => check.ok) ? EXIT.ok : EXIT.problems;
}

async function keygen(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const values = parseCommandArgs("keygen", args, {
    key: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(KEYGEN_HELP);
    return EXIT.ok;
  }
  const path = keyPath(values.key, env, defaultKeyPath(env));
  let publicKey: string;
  try {
    publicKey = await createKeyFile(path);
  } catch (error) {
    if (!(error instanceof KeyExistsError)) throw error;
    process.stderr.write(`seatwatch-beacon: ${error.message}\n`);
    return EXIT.failed;
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ key: path, publicKey })}\n`);
  } else {
    process.stderr.write(`seatwatch-beacon: wrote the private key to ${path} (mode 0600); the public key:\n`);
    process.stdout.write(`${publicKey}\n`);
  }
  return EXIT.ok;
}

async function enrollCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const options = {
    ...WORKER_OPTIONS,
    token: { type: "string" },
    host: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  } as const;
  const parsed = parseCommandArgs("enroll", args, options);
  if (parsed.help) {
    process.stdout.write(ENROLL_HELP);
    return EXIT.ok;
  }
  const values = withConfigFile(parsed, options, env);
  if (!values.token) {
    throw new UsageError(
      "enroll needs --token TOKEN: a one-time enrollment token the admin issues for this host (POST /v1/hosts/<host>/enrollment)",
    );
  }
  const host = hostId(values.host, env);
  const { url, key } = await workerSettings(values, env);
  const client = new WorkerClient(url, key.privateKey, { env });
  const result = await enroll(client, { host, publicKey: key.publicKey, token: values.token });
  await client.close();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else if (result.kind === "enrolled") {
    process.stdout.write(
      `enrolled host ${result.host} with ${key.publicKey}\npolicy: ${JSON.stringify(result.policy)}\nnext: seatwatch-beacon once (a first beat), then install the unit (seatwatch-beacon unit --help)\n`,
    );
  } else if (result.kind === "refused") {
    process.stderr.write(
      `seatwatch-beacon: enroll refused: ${result.status} ${result.code}: ${result.message}\n  ${result.explanation}\n`,
    );
  } else {
    process.stderr.write(`seatwatch-beacon: enroll not delivered: ${result.message}\n`);
  }
  if (result.kind === "enrolled") return EXIT.ok;
  return result.kind === "refused" && result.status < 500 ? EXIT.failed : EXIT.problems;
}

async function unit(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const options = {
    ...OBSERVE_OPTIONS,
    ...WORKER_OPTIONS,
    ...RUN_OPTIONS,
    exec: { type: "string" },
    "drop-in": { type: "boolean" },
  } as const;
  const parsed = parseCommandArgs("unit", args, options);
  if (parsed.help) {
    process.stdout.write(UNIT_HELP);
    return EXIT.ok;
  }
  const dropIn = async () => {
    const shell = await loginShellPath(env);
    return renderDropIn(shell.path, shell.source);
  };
  if (parsed["drop-in"] && !parsed.json) {
    process.stdout.write(await dropIn());
    return EXIT.ok;
  }
  // Everything run would check is checked now, so a unit that cannot start is never printed.
  const values = withConfigFile(parsed, options, env);
  observeConfig(values, env);
  runIntervals(values);
  const host = hostId(values.host, env);
  const { url, key } = await workerSettings(values, env);
  // Settings from the config file stay there (the unit passes --config), so editing the file takes effect.
  const environment: Record<string, string> = {};
  if (parsed.url !== undefined || env.SEATWATCH_URL !== undefined || parsed.config === undefined) {
    environment.SEATWATCH_URL = url;
  }
  if (parsed.key !== undefined || env.SEATWATCH_KEY !== undefined || parsed.config === undefined) {
    environment.SEATWATCH_KEY = key.path;
  }
  if (parsed.host !== undefined || env.SEATWATCH_HOST !== undefined || parsed.config === undefined) {
    environment.SEATWATCH_HOST = host;
  }
  const uid = process.getuid?.() ?? 0;
  const text = renderUnit({
    exec: parsed.exec ?? process.argv[1] ?? "",
    node: realpathSync(process.execPath),
    args: passOn(parsed),
    environment,
    user: uid === 0 ? null : (readPasswd().find((entry) => entry.uid === uid)?.name ?? String(uid)),
  });
  process.stdout.write(parsed.json ? `${JSON.stringify({ unit: text, dropIn: await dropIn() })}\n` : text);
  return EXIT.ok;
}

/** Flags naming files: the unit runs from / with no working directory of ours, so they go in absolute. */
const PATHS = new Set(["config", "tmux", "socket"]);

/** The flags given to `unit` that `run` takes, as ExecStart arguments. */
function passOn(values: Record<string, string | boolean | undefined>): string[] {
  const names = [...Object.keys(OBSERVE_OPTIONS), ...Object.keys(RUN_OPTIONS), "config"];
  const args: string[] = [];
  for (const name of names) {
    const value = values[name];
    if (value === undefined || name === "json" || name === "help" || name === "host") continue;
    if (name === "socket-name") args.push("-L", String(value));
    else if (value === true) args.push(`--${name}`);
    else if (typeof value === "string") args.push(`--${name}`, PATHS.has(name) ? resolve(value) : value);
  }
  return args;
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
