/**
 * One strict `list-panes -a` query (DESIGN §3 "How it sees"). An answer counts only if the client
 * exited 0, said nothing on stderr, every row parses and carries the server's own pid, and each
 * live pane's process is the server's child; every other outcome becomes an error with a named
 * reason, because a client can fail with exit 0 and empty stdout (3.3a client → 3.0a server), hang,
 * or leave its pipe held.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { runBounded } from "../exec.ts";
import { QUERY_NONCE_BYTES, QUERY_TIMEOUT_MS } from "../limits.ts";
import type { ObserveError, ObserveReason, Pane } from "../observe.ts";
import { readChildren } from "../proc.ts";

/**
 * Free text (session and command names) is whatever a process in a pane chose, tabs and newlines
 * included: `exec -a $'x\n…'` puts a newline into `pane_current_command`, and no tmux from 1.8 to
 * 3.6a escapes it (`#{q:…}`, 2.9+, quotes shell characters but not newlines; session names are
 * escaped only from 3.2). So what decides a seat never shares a line with free text. One client runs
 * three list-panes in one command list, which the server answers from one snapshot:
 *   1. a row per pane of tmux-controlled fields only — these rows say which panes exist, in order;
 *   2. `NONCE s%N<tab>session name` per pane;  3. `NONCE c%N<tab>command` per pane.
 * NONCE is fresh random hex for each query, so a line starting with it is one tmux wrote: a name
 * chosen before the query cannot hold it. A process that reads it from the client's
 * /proc/PID/cmdline while the query runs (argv is readable by every process of the user, and the
 * client lives for milliseconds) can only add such lines, never remove one, so the answer holds more
 * than tmux writes for its rows, and is refused whole (parse_error) rather than guessed at.
 *
 * Fields and the tmux release that added each (`unknown variables expand to ""` on older servers):
 *   pane_id pane_pid pane_dead window_index session_name pane_current_command   1.8
 *   pane_dead_status   2.0   ("" → null)
 *   pid                2.1   ("" → the answer proves its server by its panes: see trustedPanes)
 *   window_activity    2.1   ("" → null)
 *   version            2.4   ("" → asked with -V)
 * `;` as its own argument chains commands, and literal text before `#{…}` in -F is printed as is, on
 * all of them (tried on builds of 1.8, 2.0, 2.1, 2.6, 3.0a, 3.6a and Debian's 3.3a).
 */
const NUMERIC_FIELDS = [
  "pid",
  "pane_dead",
  "pane_dead_status",
  "pane_pid",
  "version",
  "pane_id",
  "window_index",
  "window_activity",
] as const;
const NUMERIC_FORMAT = NUMERIC_FIELDS.map((field) => `#{${field}}`).join("\t");
const NUMERIC_ROW = /^(\d*)\t([01])\t(\d*)\t(\d+)\t([^\t]*)\t(%\d+)\t(\d*)\t(\d*)$/;

/** Each free-text field, the marker its lines start with, and the tmux variable. */
const FREE_TEXT = [
  { marker: "s", variable: "session_name" },
  { marker: "c", variable: "pane_current_command" },
] as const;
type FreeText = (typeof FREE_TEXT)[number]["variable"];

/** The list-panes command list of one query whose free-text lines start with `nonce`. */
export function queryArgs(nonce: string): string[] {
  return [
    "list-panes",
    "-a",
    "-F",
    NUMERIC_FORMAT,
    ...FREE_TEXT.flatMap(({ marker, variable }) => [
      ";",
      "list-panes",
      "-a",
      "-F",
      `${nonce}${marker}#{pane_id}\t#{${variable}}`,
    ]),
  ];
}

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

export type QueryAnswer = { ok: true; panes: Pane[]; version: string } | { ok: false; error: ObserveError };

export async function queryPanes(target: QueryTarget): Promise<QueryAnswer> {
  const command = `${target.tmux} -u -S ${target.socket} list-panes -a`;
  const fail = (reason: ObserveReason, message: string): QueryAnswer => ({
    ok: false,
    error: { reason, message: `${command}: ${message}` },
  });
  const nonce = randomBytes(QUERY_NONCE_BYTES).toString("hex");
  const result = await runBounded(target.tmux, ["-u", "-S", target.socket, ...queryArgs(nonce)], {
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
  const parsed = parseAnswer(result.stdout, nonce);
  if ("problem" in parsed) return fail("parse_error", parsed.problem);
  return trustedPanes(parsed, target, fail);
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
    return { ok: true, panes: [], version: "" };
  }
  // 1.8 says only "failed to connect to server", without the errno that 2.0 appends after a colon.
  if (
    /no server running on|error connecting to .*\((No such file or directory|Connection refused)\)|^failed to connect to server(: (No such file or directory|Connection refused))?$/.test(
      stderr,
    )
  ) {
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

/** The tmux-controlled facts of one pane (the first list-panes). */
export interface PaneRow {
  /** The server's `#{pid}`; null on servers before 2.1. */
  pid: number | null;
  dead: boolean;
  deadStatus: number | null;
  panePid: number;
  version: string;
  id: string;
  window: number | null;
  /** Unix seconds, as tmux gives it. */
  windowActivity: number | null;
}

/** The rows, and each pane's free text in row order. */
export interface ParsedAnswer {
  rows: PaneRow[];
  texts: Record<FreeText, string[]>;
}

/** Reads the three lists of one answer to queryArgs(nonce); a problem means the answer is not what tmux prints for them. */
export function parseAnswer(stdout: string, nonce: string): ParsedAnswer | { problem: string } {
  // A row without its newline is a cut answer (a client killed mid-write), not a short one.
  if (!stdout.endsWith("\n")) return { problem: "the answer ends in the middle of a row" };
  const lines = stdout.slice(0, -1).split("\n");
  const rows: PaneRow[] = [];
  for (const line of lines) {
    const row = numericRow(line);
    if (!row) break;
    rows.push(row);
  }
  if (rows.length === 0) return { problem: `line 1 is not a pane row: ${shown(lines[0])}` };
  const ids = new Set<string>();
  for (const { id } of rows) {
    if (ids.has(id))
      return { problem: `pane ${id} is listed twice; an answer that repeats a pane is not one tmux gave` };
    ids.add(id);
  }
  const prefixes = FREE_TEXT.flatMap(({ marker }) => rows.map((row) => `${nonce}${marker}${row.id}\t`));
  const texts = splitEntries(lines.slice(rows.length), nonce, prefixes);
  if ("problem" in texts) return { problem: `after ${rows.length} pane rows, ${texts.problem}` };
  const textOf = (field: number) => texts.slice(field * rows.length, (field + 1) * rows.length);
  return { rows, texts: { session_name: textOf(0), pane_current_command: textOf(1) } };
}

function numericRow(line: string): PaneRow | null {
  const match = NUMERIC_ROW.exec(line);
  if (!match) return null;
  const [, pid = "", dead, deadStatus = "", panePid = "", version = "", id = "", window = "", activity = ""] = match;
  return {
    pid: orNull(pid),
    dead: dead === "1",
    deadStatus: orNull(deadStatus),
    panePid: Number(panePid),
    version,
    id,
    window: orNull(window),
    windowActivity: orNull(activity),
  };
}

/**
 * Splits `lines` into one entry per prefix, in order: only tmux writes a line starting with the
 * nonce, so each such line starts the next entry, which runs until the one after. tmux writes
 * exactly one per entry; a line more is free text holding a nonce read while the query ran.
 */
function splitEntries(lines: string[], nonce: string, prefixes: string[]): string[] | { problem: string } {
  const starts = lines.flatMap((line, index) => (line.startsWith(nonce) ? [index] : []));
  if (starts.length > prefixes.length) {
    return {
      problem: `${starts.length - prefixes.length} line(s) more than tmux writes start with this query's nonce: a process in a pane read it from the client's /proc/PID/cmdline while the query ran and put it in its name, so no line can be told from a forged one and nothing in this answer is counted; find that pane with \`tmux list-panes -a -F '#{pane_id} #{pane_current_command}'\` (its command holds lines of hex)`,
    };
  }
  const texts: string[] = [];
  for (const [k, prefix] of prefixes.entries()) {
    const start = starts[k];
    // The first entry follows the rows at once: a line between them would be no pane's.
    if (start === undefined || (k === 0 && start !== 0) || !lines[start]?.startsWith(prefix)) {
      return { problem: `the lines are not each pane's session and command in turn: ${shown(lines[start ?? 0])}` };
    }
    texts.push(
      lines
        .slice(start, starts[k + 1] ?? lines.length)
        .join("\n")
        .slice(prefix.length),
    );
  }
  return texts;
}

/**
 * The panes of a parsed answer that are proven to be the asked server's. Every row must carry the
 * server's `#{pid}`; a server too old to have one (1.8, 2.0) proves itself by its panes instead.
 * Either way a live pane counts only when its `pane_pid` is a live child of the server process:
 * rows no pane could have written (a lying client, another server) name processes that are not.
 */
function trustedPanes(parsed: ParsedAnswer, target: QueryTarget, fail: Fail): QueryAnswer {
  const { rows } = parsed;
  const first = rows[0] as PaneRow;
  const expected = target.server?.nspid ?? first.pid;
  for (const [index, row] of rows.entries()) {
    if (row.pid === expected || (row.pid === null && first.pid === null)) continue;
    return fail(
      "pid_mismatch",
      `row ${index + 1} came from server pid ${row.pid ?? "(none)"}, not ${expected ?? "(none)"} (${target.label}); another server answered, so nothing in this answer can be trusted`,
    );
  }
  const children = target.server ? readChildren(target.server.pid) : null;
  const proven = (row: PaneRow) => children === null || children.has(row.panePid);
  if (first.pid === null && target.server && !rows.some((row) => !row.dead && proven(row))) {
    return fail(
      "pid_mismatch",
      `this server does not report #{pid} (tmux before 2.1) and no live pane of its answer is a child of pid ${target.server.pid} (${target.label}); nothing in this answer can be trusted`,
    );
  }
  // A dead pane's process is gone by definition; it is reported, never counted, so it needs no proof.
  const kept = rows.flatMap((row, index) => (row.dead || proven(row) ? [index] : []));
  const panes = kept.map((index): Pane => {
    const row = rows[index] as PaneRow;
    return {
      server: target.server?.pid ?? row.pid ?? 0,
      id: row.id,
      session: parsed.texts.session_name[index] ?? "",
      command: parsed.texts.pane_current_command[index] ?? "",
      dead: row.dead,
      deadStatus: row.deadStatus,
      window: row.window,
      windowActivity: row.windowActivity === null ? null : row.windowActivity * 1000,
      panePid: children?.get(row.panePid) ?? row.panePid,
    };
  });
  return { ok: true, panes, version: first.version };
}

function orNull(digits: string): number | null {
  return digits === "" ? null : Number(digits);
}

function shown(line: string | undefined): string {
  return JSON.stringify((line ?? "").slice(0, 120));
}
