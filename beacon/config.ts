/**
 * Flags and environment → one checked configuration (DESIGN §3 "Configuration"). Anything
 * missing or malformed is a UsageError naming the flag and the env var, never silently fixed.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { describeHostIdProblem, hostIdProblem } from "../protocol/host.ts";
import { UsageError } from "./exit.ts";
import {
  DEFAULT_ACTIVE_WINDOW_SECONDS,
  DEFAULT_BUSY_CPU_PERCENT,
  DEFAULT_CONFIRM,
  DEFAULT_KEEPALIVE_SECONDS,
  DEFAULT_SAMPLE_SECONDS,
} from "./limits.ts";
import { readPasswd } from "./proc.ts";
import type { SeatRule } from "./seats.ts";
import { socketPathFor, type TmuxMode } from "./tmux/observer.ts";

/** Options every observing command takes. */
export const OBSERVE_OPTIONS = {
  host: { type: "string" },
  tmux: { type: "string" },
  socket: { type: "string" },
  "socket-name": { type: "string", short: "L" },
  user: { type: "string" },
  "seat-command": { type: "string" },
  "seat-session": { type: "string" },
  "count-shells": { type: "boolean" },
  "active-window": { type: "string" },
  "busy-cpu": { type: "string" },
  "waiting-pattern": { type: "string" },
  "no-seat-list": { type: "boolean" },
} as const;

export const OBSERVE_HELP = `Options:
  --host ID             host id (env SEATWATCH_HOST; default: the hostname, lower-cased)
  --user NAME           auto mode: observe NAME's tmux servers (default: your own; every user's as root)
  --tmux PATH           pinned mode: ask only this tmux binary ...
  --socket PATH           ... on this socket (default: its default socket)
  -L NAME                 ... or on this socket name, as tmux -L resolves it
  --seat-command REGEX  a seat is a live pane whose foreground command matches (default: any non-shell)
  --seat-session REGEX  only panes in sessions matching REGEX count at all
  --count-shells        every live pane is a seat, shells included
  --active-window SECONDS  a seat is working when it showed work this recently (default ${DEFAULT_ACTIVE_WINDOW_SECONDS})
  --busy-cpu PERCENT    work: the pane's process tree used this share of one core between two samples
                        (default ${DEFAULT_BUSY_CPU_PERCENT}; a pane seen for the first time is measured over 1 s)
  --waiting-pattern REGEX  a seat whose visible text matches waits for a person (read with capture-pane,
                        matched here, never sent)
  --no-seat-list        send counts only, not the list of seats (session names stay private)
  --json                machine output on stdout only
  -h, --help            this help`;

export interface ObserveConfig {
  mode: TmuxMode;
  rule: SeatRule;
  activity: ActivityConfig;
}

/** Seats at work (DESIGN §3a): how activity is judged, and whether the beat lists the seats. */
export interface ActivityConfig {
  activeWindowMs: number;
  busyCpuPercent: number;
  waitingPattern: RegExp | null;
  seatList: boolean;
}

type ObserveValues = {
  [K in keyof typeof OBSERVE_OPTIONS]?: (typeof OBSERVE_OPTIONS)[K]["type"] extends "boolean" ? boolean : string;
};

export function parseCommandArgs<const O extends Record<string, { type: "string" | "boolean"; short?: string }>>(
  command: string,
  args: string[],
  options: O,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message} (see ${command} --help)`);
  }
}

export function observeConfig(values: ObserveValues, env: NodeJS.ProcessEnv): ObserveConfig {
  return {
    mode: tmuxMode(values, env),
    rule: seatRule(values),
    activity: activityConfig(values),
  };
}

function activityConfig(values: ObserveValues): ActivityConfig {
  const number = (
    flag: string,
    value: string | undefined,
    fallback: number,
    min: number,
    max: number,
    unit: string,
  ) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
      throw new UsageError(`--${flag} ${JSON.stringify(value)}: give ${unit} from ${min} to ${max}`);
    }
    return n;
  };
  const pattern = values["waiting-pattern"];
  return {
    activeWindowMs: Math.round(
      number("active-window", values["active-window"], DEFAULT_ACTIVE_WINDOW_SECONDS, 1, 86_400, "seconds") * 1000,
    ),
    busyCpuPercent: number(
      "busy-cpu",
      values["busy-cpu"],
      DEFAULT_BUSY_CPU_PERCENT,
      0.1,
      100,
      "a percentage of one core",
    ),
    waitingPattern: pattern === undefined ? null : regex("--waiting-pattern", pattern),
    seatList: !(values["no-seat-list"] ?? false),
  };
}

function tmuxMode(values: ObserveValues, env: NodeJS.ProcessEnv): TmuxMode {
  const uid = process.getuid?.() ?? 0;
  const name = values["socket-name"];
  if (values.socket !== undefined && name !== undefined)
    throw new UsageError("--socket and -L both name a socket; give one");
  if (values.tmux === undefined) {
    if (values.socket !== undefined || name !== undefined) {
      throw new UsageError(
        "--socket and -L pin a socket, which needs --tmux PATH (the tmux binary that started that server)",
      );
    }
    return autoMode(values.user, uid);
  }
  if (values.user !== undefined)
    throw new UsageError("--user scopes auto mode; with --tmux the socket is already pinned");
  const socket = values.socket !== undefined ? resolve(values.socket) : socketPathFor(name ?? "default", uid, env);
  return { kind: "pinned", tmux: values.tmux, socket, env };
}

function autoMode(user: string | undefined, ownUid: number): TmuxMode {
  if (user === undefined) {
    return ownUid === 0
      ? { kind: "auto", uid: null, scopeLabel: "any user (the beacon runs as root)" }
      : { kind: "auto", uid: ownUid, scopeLabel: `uid ${ownUid}` };
  }
  const entry = readPasswd().find((e) => e.name === user || String(e.uid) === user);
  if (entry) return { kind: "auto", uid: entry.uid, scopeLabel: `user ${entry.name} (uid ${entry.uid})` };
  if (/^\d+$/.test(user)) return { kind: "auto", uid: Number(user), scopeLabel: `uid ${user}` };
  throw new UsageError(`--user ${user}: no such user in /etc/passwd; give a user name or a numeric uid`);
}

function seatRule(values: ObserveValues): SeatRule {
  const rule: SeatRule = { countShells: values["count-shells"] ?? false };
  if (values["seat-command"] !== undefined) rule.command = regex("--seat-command", values["seat-command"]);
  if (values["seat-session"] !== undefined) rule.session = regex("--seat-session", values["seat-session"]);
  if (rule.countShells && rule.command)
    throw new UsageError("--count-shells and --seat-command both define a seat; give one");
  return rule;
}

function regex(flag: string, source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new UsageError(`${flag} ${JSON.stringify(source)}: not a regular expression (${(error as Error).message})`);
  }
}

/** The host id from --host, else SEATWATCH_HOST, else the hostname lower-cased; an invalid id is refused, not rewritten. */
export function hostId(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const [id, source] =
    flag !== undefined
      ? [flag, "--host"]
      : env.SEATWATCH_HOST !== undefined
        ? [env.SEATWATCH_HOST, "SEATWATCH_HOST"]
        : [hostname().toLowerCase(), "the hostname (set --host or SEATWATCH_HOST)"];
  const problem = hostIdProblem(id);
  if (problem) throw new UsageError(`${source}: ${describeHostIdProblem(id, problem)}`);
  return id;
}

/** Options of the commands that talk to the Worker. */
export const WORKER_OPTIONS = {
  url: { type: "string" },
  key: { type: "string" },
  config: { type: "string" },
} as const;

export const WORKER_HELP = `  --url URL             the Worker, e.g. https://seatwatch.example.workers.dev (env SEATWATCH_URL)
  --key PATH            the host's private key file (env SEATWATCH_KEY; default ${"$"}XDG_CONFIG_HOME/seatwatch/key.pem,
                        /etc/seatwatch/key.pem as root)
  --config FILE         a JSON file of settings named like these flags, e.g. {"url": "…", "key": "…",
                        "seat-command": "^claude$"}; flags and env vars override it`;

/** Options of `run` (DESIGN §3), in seconds; fractions are allowed (tests run at 0.2 s). */
export const RUN_OPTIONS = {
  sample: { type: "string" },
  confirm: { type: "string" },
  keepalive: { type: "string" },
} as const;

/** Settings with an environment variable; the variable beats the config file, a flag beats both. */
const ENV_NAMES: Record<string, string> = { url: "SEATWATCH_URL", host: "SEATWATCH_HOST", key: "SEATWATCH_KEY" };

/** What a config file may hold: every setting of any command, so one file serves run, once, enroll and unit. */
const FILE_SETTINGS: Record<string, "string" | "number" | "boolean" | "path"> = {
  url: "string",
  host: "string",
  key: "path",
  sample: "number",
  confirm: "number",
  keepalive: "number",
  tmux: "path",
  socket: "path",
  "socket-name": "string",
  user: "string",
  "seat-command": "string",
  "seat-session": "string",
  "count-shells": "boolean",
  "active-window": "number",
  "busy-cpu": "number",
  "waiting-pattern": "string",
  "no-seat-list": "boolean",
};

/**
 * Fills the settings not given as flags (nor, for url/host/key, as env vars) from `--config FILE`.
 * Unknown or mistyped entries are refused, so a typo never silently does nothing.
 */
export function withConfigFile<V extends Record<string, string | boolean | undefined>>(
  values: V,
  known: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): V {
  const file = values.config;
  if (typeof file !== "string") return values;
  const path = resolve(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`--config ${file}: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--config ${file}: expected a JSON object of settings, e.g. {"url": "https://…"}`);
  }
  const merged: Record<string, string | boolean | undefined> = { ...values };
  for (const [name, value] of Object.entries(parsed)) {
    const type = FILE_SETTINGS[name];
    if (type === undefined) {
      throw new UsageError(
        `--config ${file}: unknown setting "${name}" (known: ${Object.keys(FILE_SETTINGS).join(", ")})`,
      );
    }
    const ok =
      type === "boolean"
        ? typeof value === "boolean"
        : type === "number"
          ? typeof value === "number" || typeof value === "string"
          : typeof value === "string";
    if (!ok) throw new UsageError(`--config ${file}: "${name}" must be a ${type === "path" ? "string" : type}`);
    if (!(name in known) || merged[name] !== undefined) continue;
    const envName = ENV_NAMES[name];
    if (envName !== undefined && env[envName] !== undefined) continue;
    merged[name] =
      type === "path"
        ? resolve(dirname(path), value as string)
        : type === "boolean"
          ? (value as boolean)
          : String(value);
  }
  return merged as V;
}

/** The Worker's base URL from --url, SEATWATCH_URL or the config file. */
export function workerUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const value = flag ?? env.SEATWATCH_URL;
  const source = flag !== undefined ? "--url" : "SEATWATCH_URL";
  if (value === undefined || value === "") {
    throw new UsageError(
      'no Worker URL: pass --url URL or set SEATWATCH_URL (or "url" in the --config file), e.g. https://seatwatch.example.workers.dev',
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `${source} ${JSON.stringify(value)}: not a URL; give the Worker's base URL, e.g. https://seatwatch.example.workers.dev`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(
      `${source} ${JSON.stringify(value)}: the Worker is reached over https:// (or http:// locally)`,
    );
  }
  if (url.search || url.hash)
    throw new UsageError(`${source} ${JSON.stringify(value)}: give the base URL, without ?query or #fragment`);
  return url.href.replace(/\/+$/, "");
}

/** The key file path from --key, SEATWATCH_KEY or the config file, else the default place. */
export function keyPath(flag: string | undefined, env: NodeJS.ProcessEnv, fallback: string): string {
  const value = flag ?? env.SEATWATCH_KEY;
  if (value === "") throw new UsageError("--key / SEATWATCH_KEY is empty: give the private key file's path");
  return resolve(value ?? fallback);
}

export interface RunIntervals {
  sampleMs: number;
  confirm: number;
  keepaliveMs: number;
}

export function runIntervals(values: { sample?: string; confirm?: string; keepalive?: string }): RunIntervals {
  const seconds = (flag: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback * 1000;
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < 0.05 || n > 86_400) {
      throw new UsageError(`--${flag} ${JSON.stringify(value)}: give seconds from 0.05 to 86400`);
    }
    return Math.round(n * 1000);
  };
  const confirm = values.confirm === undefined ? DEFAULT_CONFIRM : Number(values.confirm);
  if (!Number.isInteger(confirm) || confirm < 1 || confirm > 100) {
    throw new UsageError(`--confirm ${JSON.stringify(values.confirm)}: give a whole number of samples from 1 to 100`);
  }
  return {
    sampleMs: seconds("sample", values.sample, DEFAULT_SAMPLE_SECONDS),
    confirm,
    keepaliveMs: seconds("keepalive", values.keepalive, DEFAULT_KEEPALIVE_SECONDS),
  };
}
