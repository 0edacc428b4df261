/**
 * `unit` (DESIGN §3): the systemd unit that runs `run`, and the drop-in that pins the PATH of the
 * operator's login shell. What the unit leaves out matters as much as what it sets: PrivateTmp
 * hides tmux sockets under /tmp, ProtectHome hides linuxbrew's tmux and sockets under /home,
 * ProcSubset=pid and ProtectProc= hide /proc/PID/exe and other users' processes, DynamicUser runs as
 * a uid that owns no tmux server, PrivateNetwork cuts the Worker off, MemoryDenyWriteExecute breaks V8.
 */
import { accessSync, constants, existsSync, realpathSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { runBounded } from "./exec.ts";
import { UsageError } from "./exit.ts";
import { LOGIN_SHELL_TIMEOUT_MS, SYSTEMD_DEFAULT_PATH } from "./limits.ts";
import { readPasswd } from "./proc.ts";
import { BEACON_VERSION } from "./sample.ts";

export const UNIT_NAME = "seatwatch-beacon.service";

/**
 * The flags node runs the daemon with. --jitless: the daemon runs a few milliseconds of JavaScript
 * every 15 s, which no JIT pays back, while compiling it pages in ~5 MiB of V8's compilers (RSS
 * 52.8 → 48.0 MiB after 35 s on one host; bench/beacon-rss.ts), and the CPU it costs is within
 * noise at that rate. The beacon runs no WebAssembly, which --jitless turns off; --no-expose-wasm
 * says so, or V8 warns about the two flags' conflict in the journal at every start.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ["--jitless", "--no-expose-wasm"];
export const DROP_IN_PATH = `/etc/systemd/system/${UNIT_NAME}.d/path.conf`;

export interface UnitInput {
  /** The beacon file ExecStart runs (absolute; checked to exist). */
  exec: string;
  /** The node that runs it, when it is a JavaScript file. */
  node: string;
  /** Arguments after `run`. */
  args: string[];
  /** SEATWATCH_URL, SEATWATCH_KEY, SEATWATCH_HOST. */
  environment: Record<string, string>;
  /** The user the beacon runs as (null: root, which observes every user's tmux servers). */
  user: string | null;
}

/** The command ExecStart runs: the beacon file (through node when it is JavaScript), which must exist. */
export function execCommand(file: string, node: string): string[] {
  let path: string;
  try {
    path = realpathSync(file);
  } catch {
    throw new UsageError(`--exec ${file}: no such file; ExecStart must run a beacon file that exists`);
  }
  if (!statSync(path).isFile()) throw new UsageError(`--exec ${file}: not a file`);
  if (/\.(m|c)?js$/.test(path)) return [node, ...DAEMON_NODE_FLAGS, path];
  if (/\.ts$/.test(path)) {
    throw new UsageError(
      `the beacon is running from source (${path}), which plain node cannot run under systemd: build the one-file beacon (npm run build:beacon), install it (e.g. /usr/local/lib/seatwatch/seatwatch-beacon.cjs) and run \`node <that file> unit …\` there, or pass --exec PATH`,
    );
  }
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new UsageError(`--exec ${file}: not executable (chmod +x it, or point --exec at the .cjs file)`);
  }
  return [path];
}

/**
 * Documentation= for `systemctl help`: the README of the package or checkout the beacon file came
 * from (npm ships it beside the bin; the build puts the file in dist/, one below it), else the
 * beacon file itself, whose --help documents every command.
 */
export function documentationUri(beaconFile: string): string {
  for (let dir = dirname(beaconFile), i = 0; i < 3; dir = dirname(dir), i++) {
    const readme = join(dir, "README.md");
    if (existsSync(readme)) return pathToFileURL(readme).href;
  }
  return pathToFileURL(beaconFile).href;
}

export function renderUnit(input: UnitInput): string {
  const command = execCommand(input.exec, input.node);
  const exec = [...command, "run", ...input.args];
  const lines = [
    `# ${UNIT_NAME}: written by \`seatwatch-beacon unit\` ${BEACON_VERSION}.`,
    `# Install: save as /etc/systemd/system/${UNIT_NAME}, then`,
    `#   systemctl daemon-reload && systemctl enable --now ${UNIT_NAME}`,
    "# Deliberately absent (each hides tmux sockets or /proc, or breaks V8): PrivateTmp, DynamicUser,",
    "# ProtectHome=yes|tmpfs, ProcSubset=pid, ProtectProc=, PrivateNetwork, MemoryDenyWriteExecute.",
    "[Unit]",
    "Description=seatwatch beacon: counts agent seats in tmux and pushes them to the Worker",
    `Documentation=${execArg(documentationUri(command[command.length - 1] as string))}`,
    "Wants=network-online.target",
    "After=network-online.target",
    "",
    "[Service]",
    // exec: systemctl start fails when the beacon file cannot be executed, instead of reporting success.
    "Type=exec",
    ...(input.user === null ? [] : [`User=${input.user}`]),
    `ExecStart=${exec.map(execArg).join(" ")}`,
    ...Object.entries(input.environment).map(([name, value]) => `Environment=${envAssignment(name, value)}`),
    `Environment=${envAssignment("LANG", "C.UTF-8")}`,
    "Restart=always",
    "RestartSec=10",
    "RuntimeDirectory=seatwatch",
    "SyslogIdentifier=seatwatch-beacon",
    // run finishes the push in flight on SIGTERM; a push is bounded by its 10 s timeout.
    "KillSignal=SIGTERM",
    "TimeoutStopSec=30",
    "NoNewPrivileges=yes",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ];
  return lines.join("\n");
}

export function renderDropIn(path: string, source: string): string {
  return [
    `# ${DROP_IN_PATH}: written by \`seatwatch-beacon unit --drop-in\`.`,
    `# ${source}, pinned so the beacon and anything it runs reach the same tools`,
    "# as the operator (a tmux from linuxbrew or nix, not only /usr/bin's). Then:",
    `#   systemctl daemon-reload && systemctl restart ${UNIT_NAME}`,
    "[Service]",
    `Environment=${envAssignment("PATH", path)}`,
    "",
  ].join("\n");
}

/** The PATH the login shell of the user running this command ends up with, and how it was found. */
export async function loginShellPath(env: NodeJS.ProcessEnv): Promise<{ path: string; source: string }> {
  const uid = process.getuid?.() ?? 0;
  const entry = readPasswd().find((e) => e.uid === uid);
  const shell = entry?.shell || env.SHELL || "/bin/sh";
  const who = entry?.name ?? `uid ${uid}`;
  const marker = "__SEATWATCH_PATH__";
  // -l -i: a login shell that also reads the interactive rc files, where nvm and `brew shellenv` usually live.
  const result = await runBounded(shell, ["-l", "-i", "-c", `printf '\\n${marker}%s\\n' "$PATH"`], {
    // The login shell starts from a clean environment, as login(1) would; HOME is the operator's own.
    env: { HOME: env.HOME || entry?.home || "/", USER: who, LOGNAME: who, SHELL: shell, TERM: "dumb" },
    timeoutMs: LOGIN_SHELL_TIMEOUT_MS,
  });
  if (result.kind === "exit") {
    const line = result.stdout.split("\n").find((l) => l.startsWith(marker));
    const path = line?.slice(marker.length).trim();
    // rc files often prepend the same directory twice; the first occurrence is the one that wins.
    if (path) {
      return {
        path: [...new Set(path.split(":"))].join(":"),
        source: `The PATH of ${who}'s login shell (${shell} -l -i)`,
      };
    }
  }
  const why = result.kind === "exit" ? "printed no PATH" : result.kind === "timeout" ? "timed out" : result.message;
  const path = env.PATH || SYSTEMD_DEFAULT_PATH;
  return { path, source: `${who}'s login shell (${shell}) ${why}; this is the PATH unit ran with instead` };
}

/** One ExecStart word: specifiers (%) and variables ($) escaped, quoted when it holds anything else. */
function execArg(word: string): string {
  if (/[\n\r]/.test(word)) throw new UsageError(`${JSON.stringify(word)}: a unit argument cannot hold a newline`);
  const escaped = word.replace(/%/g, "%%").replace(/\$/g, "$$$$");
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? escaped : `"${escaped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function envAssignment(name: string, value: string): string {
  if (/[\n\r]/.test(value)) throw new UsageError(`${name}: a unit setting cannot hold a newline`);
  return `"${`${name}=${value}`.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/%/g, "%%")}"`;
}
