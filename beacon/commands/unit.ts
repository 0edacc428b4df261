/** `unit` (DESIGN §3): prints the systemd unit that runs `run` with the options given here, or its PATH drop-in. */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import {
  hostId,
  OBSERVE_HELP,
  OBSERVE_OPTIONS,
  observeConfig,
  RUN_OPTIONS,
  runIntervals,
  WORKER_HELP,
  WORKER_OPTIONS,
} from "../config.ts";
import { EXIT } from "../exit.ts";
import { readPasswd } from "../proc.ts";
import { DROP_IN_PATH, loginShellPath, renderDropIn, renderUnit, UNIT_NAME } from "../unit.ts";
import { command, workerSettings } from "./command.ts";

export const unit = command({
  name: "unit",
  help: `usage: seatwatch-beacon unit [--drop-in] [--json] [--exec PATH] [options]

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
`,
  options: {
    ...OBSERVE_OPTIONS,
    ...WORKER_OPTIONS,
    ...RUN_OPTIONS,
    exec: { type: "string" },
    "drop-in": { type: "boolean" },
  },
  async run({ flags, settings, json, env }) {
    const dropIn = async () => {
      const shell = await loginShellPath(env);
      return renderDropIn(shell.path, shell.source);
    };
    if (flags["drop-in"] && !json) {
      process.stdout.write(await dropIn());
      return EXIT.ok;
    }
    // Everything run would check is checked now, so a unit that cannot start is never printed.
    const values = settings();
    observeConfig(values, env);
    runIntervals(values);
    const host = hostId(values.host, env);
    const { url, key } = await workerSettings(values, env);
    // Settings from the config file stay there (the unit passes --config), so editing the file takes effect.
    const environment: Record<string, string> = {};
    if (flags.url !== undefined || env.SEATWATCH_URL !== undefined || flags.config === undefined) {
      environment.SEATWATCH_URL = url;
    }
    if (flags.key !== undefined || env.SEATWATCH_KEY !== undefined || flags.config === undefined) {
      environment.SEATWATCH_KEY = key.path;
    }
    if (flags.host !== undefined || env.SEATWATCH_HOST !== undefined || flags.config === undefined) {
      environment.SEATWATCH_HOST = host;
    }
    const uid = process.getuid?.() ?? 0;
    const text = renderUnit({
      exec: flags.exec ?? process.argv[1] ?? "",
      node: realpathSync(process.execPath),
      args: passOn(flags),
      environment,
      user: uid === 0 ? null : (readPasswd().find((entry) => entry.uid === uid)?.name ?? String(uid)),
    });
    process.stdout.write(json ? `${JSON.stringify({ unit: text, dropIn: await dropIn() })}\n` : text);
    return EXIT.ok;
  },
});

/** Flags naming files: the unit runs from / with no working directory of ours, so they go in absolute. */
const PATHS = new Set(["config", "tmux", "socket"]);

/** The flags given to `unit` that `run` takes, as ExecStart arguments; the host id goes into Environment=. */
function passOn(values: Record<string, string | boolean | undefined>): string[] {
  const names = [...Object.keys(OBSERVE_OPTIONS), ...Object.keys(RUN_OPTIONS), "config"];
  const args: string[] = [];
  for (const name of names) {
    const value = values[name];
    if (value === undefined || name === "host") continue;
    if (name === "socket-name") args.push("-L", String(value));
    else if (value === true) args.push(`--${name}`);
    else if (typeof value === "string") args.push(`--${name}`, PATHS.has(name) ? resolve(value) : value);
  }
  return args;
}
