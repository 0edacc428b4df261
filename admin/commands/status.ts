/** `seatwatch status [--watch]`: the fleet table, and whether /v1/check calls it healthy. */
import { COMMON_HELP, intFlag, parseCommand, secondsFlag } from "../args.ts";
import { Api, ApiRefused, resolveSettings, Unreachable } from "../client.ts";
import { EXIT, EXIT_HELP } from "../exit.ts";
import { ago, type Io, list, table } from "../output.ts";
import type { Command } from "./command.ts";

const HELP = `usage: seatwatch status [--watch [--interval SECONDS] [--count N]] [--json]

Prints every host's state, seats, reason and warnings (GET /v1/status) and the fleet's health check
(GET /v1/check). --watch polls: on a terminal it redraws the table in place; piped, it prints
one line per host whenever its state, seats or reason change (all hosts at the first poll).
--json prints {status, check}; with --watch one such document per line, each poll.

  --watch               keep polling until Ctrl-C (or --count polls)
  --interval SECONDS    between polls (default 5)
  --count N             stop after N polls
${COMMON_HELP}

${EXIT_HELP}
  4  the fleet is not healthy: GET /v1/check answered 503 (a host down or low, no hosts, a stale monitor,
     undelivered alerts); with --watch, the last poll decides
`;

interface HostRow {
  id: string;
  state: string;
  reason: string | null;
  seats: number | null;
  minSeats: number;
  lastSeen: string | null;
  since: string | null;
  labels: string[];
  warnings: string[];
}

export interface StatusDocument {
  generatedAt: string;
  monitor: { lastCronAt: string | null; stale: boolean; undelivered: number };
  counts: Record<string, number>;
  hosts: HostRow[];
}

export interface Snapshot {
  status: StatusDocument;
  check: { ok: boolean; text: string };
}

async function snapshot(api: Api): Promise<Snapshot> {
  const [status, check] = await Promise.all([
    api.request<StatusDocument>("GET", "/v1/status", { auth: "read" }),
    api.request<string>("GET", "/v1/check", { auth: "read", accept: "text", okStatuses: [503] }),
  ]);
  return { status: status.body, check: { ok: check.status === 200, text: check.body.trimEnd() } };
}

/** Ages are taken at the Worker's `generatedAt`, so they agree with the Worker whatever this clock says. */
export function renderStatus({ status, check }: Snapshot, url: string): string {
  const now = Date.parse(status.generatedAt);
  const counts = Object.entries(status.counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`)
    .join(", ");
  const rows = [["HOST", "STATE", "SEATS", "LAST SEEN", "SINCE", "LABELS", "REASON", "WARNINGS"]];
  for (const h of status.hosts) {
    rows.push([
      h.id,
      h.state,
      h.seats === null ? `-/${h.minSeats}` : `${h.seats}/${h.minSeats}`,
      ago(h.lastSeen, now),
      ago(h.since, now),
      list(h.labels),
      h.reason ?? "-",
      list(h.warnings),
    ]);
  }
  const head = `seatwatch ${url}  ${status.generatedAt}  ${counts || "no hosts"}${status.monitor.stale ? "  monitor: STALE" : ""}\n`;
  const checkLines = check.text.split("\n").map((line, i) => (i === 0 ? `check: ${line}` : `       ${line}`));
  return `${head}${status.hosts.length > 0 ? table(rows) : ""}${checkLines.join("\n")}\n`;
}

/** One line per host whose state, seats or reason differ from the last poll: a log, not a screen. */
export function changedLines(previous: Snapshot | null, current: Snapshot): string[] {
  const before = new Map(previous?.status.hosts.map((h) => [h.id, h]) ?? []);
  const lines: string[] = [];
  const key = (h: HostRow) => `${h.state}|${h.seats}|${h.reason}`;
  for (const h of current.status.hosts) {
    const old = before.get(h.id);
    if (old && key(old) === key(h)) continue;
    const seats = h.seats === null ? "-" : String(h.seats);
    lines.push(
      `${current.status.generatedAt} ${h.id} ${h.state} ${seats}/${h.minSeats}${h.reason ? ` ${h.reason}` : ""}`,
    );
  }
  const now = new Set(current.status.hosts.map((h) => h.id));
  for (const id of before.keys()) if (!now.has(id)) lines.push(`${current.status.generatedAt} ${id} removed`);
  if (previous && previous.check.ok !== current.check.ok) {
    lines.push(
      `${current.status.generatedAt} check ${current.check.ok ? "ok" : "failing"}: ${current.check.text.split("\n")[0]}`,
    );
  }
  return lines;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

export async function watch(api: Api, io: Io, json: boolean, intervalMs: number, count: number): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const tty = io.stdout.isTTY === true && !json;
  let previous: Snapshot | null = null;
  let code: number = EXIT.ok;
  for (let n = 0; n < count && !stop.signal.aborted; n++) {
    if (n > 0) await sleep(intervalMs, stop.signal);
    if (stop.signal.aborted) break;
    let current: Snapshot;
    try {
      current = await snapshot(api);
    } catch (error) {
      if (!(error instanceof Unreachable || error instanceof ApiRefused)) throw error;
      // A watch outlives a Worker restart: say so and keep polling.
      io.stderr.write(`seatwatch: ${error.message}\n`);
      code = error instanceof Unreachable ? EXIT.unreachable : EXIT.refused;
      continue;
    }
    code = current.check.ok ? EXIT.ok : EXIT.unhealthy;
    if (json) io.stdout.write(`${JSON.stringify(current)}\n`);
    else if (tty) {
      const screen = renderStatus(current, api.settings.url).replace(/\n/g, "\x1b[K\n");
      io.stdout.write(`\x1b[H${screen}\x1b[J`);
    } else for (const line of changedLines(previous, current)) io.stdout.write(`${line}\n`);
    previous = current;
  }
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  return code;
}

export const status: Command = {
  summary: "the fleet's hosts and health check (--watch: keep it on screen)",
  async run(args, io) {
    const { values } = parseCommand("status", args, {
      watch: { type: "boolean" },
      interval: { type: "string" },
      count: { type: "string" },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    const api = new Api(resolveSettings(values, io.env));
    const json = values.json === true;
    if (values.watch || values.count !== undefined) {
      const count = intFlag("count", values.count) ?? Number.POSITIVE_INFINITY;
      return watch(api, io, json, secondsFlag("interval", values.interval, 5) * 1000, count);
    }
    const current = await snapshot(api);
    if (json) io.stdout.write(`${JSON.stringify(current, null, 2)}\n`);
    else io.stdout.write(renderStatus(current, api.settings.url));
    return current.check.ok ? EXIT.ok : EXIT.unhealthy;
  },
};
