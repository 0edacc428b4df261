/**
 * One strict `list-panes -a` query (DESIGN §3 "How it sees"). An answer counts only if the client
 * exited 0, said nothing on stderr, and every row parses and carries the server's own pid; every
 * other outcome becomes an error with a named reason, because a client can fail with exit 0 and
 * empty stdout (3.3a client → 3.0a server), hang, or leave its pipe held.
 */
import { existsSync } from "node:fs";
import { runBounded } from "../exec.ts";
import { QUERY_TIMEOUT_MS } from "../limits.ts";
import type { ObserveError, ObserveReason, Pane } from "../observe.ts";

/**
 * Numeric fields first, tab-separated, free text last, so a tab in a command name cannot shift a
 * number. `pane_activity` does not exist and unknown variables expand to "" silently, so every
 * field used here is one tmux has had since 2.0, but `window_activity` (2.1: "" → null).
 */
const FIELDS = [
  "pid",
  "pane_dead",
  "pane_dead_status",
  "pane_pid",
  "version",
  "pane_id",
  "window_index",
  "window_activity",
  "session_name",
  "pane_current_command",
] as const;
export const PANE_FORMAT = FIELDS.map((field) => `#{${field}}`).join("\t");

export interface QueryTarget {
  /** The client binary to run (for auto mode, /proc/PID/exe: the very binary that started the server). */
  tmux: string;
  /** The socket path passed to -S, reachable from the beacon. */
  socket: string;
  /** The server as located in /proc (pid as we see it, nspid as it sees itself); null when it could not be located. */
  server: { pid: number; nspid: number } | null;
  /** What to call the server in messages (the socket as the server sees it, and its pid). */
  label: string;
  env?: NodeJS.ProcessEnv;
}

export type QueryAnswer =
  | { ok: true; panes: Pane[]; serverPid: number | null; version: string }
  | { ok: false; error: ObserveError };

export async function queryPanes(target: QueryTarget): Promise<QueryAnswer> {
  const command = `${target.tmux} -u -S ${target.socket} list-panes -a`;
  const fail = (reason: ObserveReason, message: string): QueryAnswer => ({
    ok: false,
    error: { reason, message: `${command}: ${message}` },
  });
  const result = await runBounded(target.tmux, ["-u", "-S", target.socket, "list-panes", "-a", "-F", PANE_FORMAT], {
    env: target.env,
  });

  if (result.kind === "spawn_error") {
    if (result.code === "ENOENT") {
      return fail(
        "not_found",
        `no such binary (${result.message}); install tmux or pass --tmux with the path of the tmux that started your sessions`,
      );
    }
    return fail(
      "access_denied",
      `cannot run the binary (${result.message}); check its permissions or pass --tmux PATH`,
    );
  }
  if (result.kind === "timeout") {
    return fail(
      "timeout",
      `no answer within ${QUERY_TIMEOUT_MS} ms from ${target.label}; the server may be stopped (kill -CONT it) or speak another protocol (run doctor)`,
    );
  }

  const stderr = result.stderr.trim();
  if (stderr !== "") return classifyComplaint(stderr, result.stdout, target, fail);
  if (result.code !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited ${result.code}`;
    return fail("client_error", `the client ${how} without a message; run it by hand to see why`);
  }
  if (result.truncated)
    return fail("parse_error", "the answer was larger than any list-panes answer we expect; refusing to guess");
  if (result.stdout === "") {
    const held = result.pipesHeld ? " (and left its output pipe held by another process)" : "";
    return fail(
      "empty_answer",
      `exit 0 with no output and no message${held}: a server with a session always has a pane, so this client did not really ask ${target.label}; pin the tmux that started it with --tmux, or use auto mode`,
    );
  }
  return parseRows(result.stdout, target, fail);
}

type Fail = (reason: ObserveReason, message: string) => QueryAnswer;

/** tmux's own messages (client.c, cmd-find.c) for each way of failing, checked in order. */
const COMPLAINTS: [RegExp, ObserveReason, string][] = [
  [
    /server version is too old for client/,
    "version_too_old",
    "the server was started by an older tmux; query it with the binary that started it (auto mode does), or pin that binary with --tmux",
  ],
  [
    /protocol version mismatch/,
    "protocol_mismatch",
    "client and server are different tmux versions; query the server with the binary that started it (auto mode does), or pin that binary with --tmux",
  ],
  [
    /\(Permission denied\)|access not allowed|not allowed/i,
    "access_denied",
    "the server refuses this user; run the beacon as the server's owner or use --user",
  ],
  [
    /lost server|server exited unexpectedly/,
    "server_lost",
    "the server went away during the query; check whether it is restarting",
  ],
];

function classifyComplaint(stderr: string, stdout: string, target: QueryTarget, fail: Fail): QueryAnswer {
  // A live server with no sessions: an observation of zero seats, not a failure (DESIGN §3).
  if (stdout === "" && /^(no current target|no sessions)$/.test(stderr)) {
    return { ok: true, panes: [], serverPid: null, version: "" };
  }
  if (/no server running on|error connecting to .*\((No such file or directory|Connection refused)\)/.test(stderr)) {
    if (existsSync(target.socket)) {
      return fail(
        "stale_socket",
        `"${stderr}": the socket file exists but no server listens on it (the server died); remove it or restart tmux there`,
      );
    }
    return fail(
      "no_server",
      `"${stderr}": no tmux server at ${target.label}; start your sessions there, or point --socket/-L at the socket they use`,
    );
  }
  for (const [pattern, reason, advice] of COMPLAINTS) {
    if (pattern.test(stderr)) return fail(reason, `"${firstLine(stderr)}": ${advice}`);
  }
  return fail(
    "client_error",
    `"${firstLine(stderr)}": an answer with a complaint is not an observation; run it by hand to see why`,
  );
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? "";
}

function parseRows(stdout: string, target: QueryTarget, fail: Fail): QueryAnswer {
  // A row without its newline is a cut answer (a client killed mid-write), not a short one.
  if (!stdout.endsWith("\n")) return fail("parse_error", "the answer ends in the middle of a row");
  const panes: Pane[] = [];
  let serverPid: number | null = null;
  let version = "";
  const rows = stdout.slice(0, -1).split("\n");
  for (const [index, row] of rows.entries()) {
    const fields = splitRow(row, FIELDS.length);
    const pid = fields && whole(fields[0]);
    const dead = fields?.[1];
    const deadStatus = fields?.[2];
    if (
      !fields ||
      pid === null ||
      (dead !== "0" && dead !== "1") ||
      (deadStatus !== "" && whole(deadStatus) === null) ||
      whole(fields[3]) === null ||
      !/^%\d+$/.test(fields[5] ?? "") ||
      whole(fields[6]) === null ||
      (fields[7] !== "" && whole(fields[7]) === null)
    ) {
      return fail(
        "parse_error",
        `row ${index + 1} is not a ${FIELDS.length}-field pane row: ${JSON.stringify(row.slice(0, 120))}`,
      );
    }
    const expected: number = target.server?.nspid ?? serverPid ?? pid;
    if (pid !== expected) {
      return fail(
        "pid_mismatch",
        `row ${index + 1} came from server pid ${pid}, not ${expected} (${target.label}); another server answered, so nothing in this answer can be trusted`,
      );
    }
    serverPid = pid;
    version ||= fields[4] ?? "";
    panes.push({
      server: target.server?.pid ?? pid,
      id: fields[5] ?? "",
      session: fields[8] ?? "",
      command: fields[9] ?? "",
      dead: dead === "1",
      deadStatus: deadStatus === "" ? null : Number(deadStatus),
      window: Number(fields[6]),
      windowActivity: fields[7] === "" ? null : Number(fields[7]) * 1000,
      panePid: Number(fields[3]),
    });
  }
  return { ok: true, panes, serverPid, version };
}

/** Exactly `count` fields; the last takes the rest of the row, tabs included. */
function splitRow(row: string, count: number): string[] | null {
  const parts = row.split("\t");
  if (parts.length < count) return null;
  return [...parts.slice(0, count - 1), parts.slice(count - 1).join("\t")];
}

function whole(text: string | undefined): number | null {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
}
