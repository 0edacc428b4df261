/**
 * Flags and environment → one checked configuration (DESIGN §3 "Configuration"). Anything
 * missing or malformed is a UsageError naming the flag and the env var, never silently fixed.
 */
import { hostname } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { describeHostIdProblem, hostIdProblem } from "../protocol/host.ts";
import { readPasswd } from "./proc.ts";
import type { SeatRule } from "./seats.ts";
import { socketPathFor, type TmuxMode } from "./tmux/observer.ts";

export class UsageError extends Error {}

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
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
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
  --json                machine output on stdout only
  -h, --help            this help`;

export interface ObserveConfig {
  mode: TmuxMode;
  rule: SeatRule;
  json: boolean;
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
  return { mode: tmuxMode(values, env), rule: seatRule(values), json: values.json ?? false };
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
