/** `seatwatch events HOST`: a host's transitions from the ledger, and its uptime. */
import { describeHostIdProblem, hostIdProblem } from "../../protocol/host.ts";
import { COMMON_HELP, parseCommand, UsageError } from "../args.ts";
import { Api, resolveSettings } from "../client.ts";
import { EXIT, EXIT_HELP } from "../exit.ts";
import { printJson, table } from "../output.ts";
import type { Command } from "./command.ts";

const HELP = `usage: seatwatch events HOST [--json]

The host's state transitions over the last 30 days, newest first, and its uptime over 24 h, 7 d
and 30 d (GET /v1/hosts/HOST/events). Uses the read token when the Worker sets READ_TOKEN.
${COMMON_HELP}

${EXIT_HELP}
`;

interface EventsAnswer {
  host: string;
  uptime: Record<string, { uptime: number | null }>;
  uptimeNote?: string;
  events: {
    state: string;
    previous: string;
    reason: string | null;
    seats: number | null;
    minSeats: number;
    since: string;
    announced: boolean;
  }[];
}

function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(2)}%`;
}

export function renderEvents(answer: EventsAnswer): string {
  const uptime = Object.entries(answer.uptime)
    .map(([period, window]) => `${period} ${percent(window.uptime)}`)
    .join("  ");
  const head = `host ${answer.host}: uptime ${uptime}\n`;
  if (answer.events.length === 0) return `${head}no transitions in the last 30 days\n`;
  const rows = [["SINCE", "FROM", "TO", "SEATS", "ALERTED", "REASON"]];
  for (const e of answer.events) {
    rows.push([
      e.since,
      e.previous,
      e.state,
      `${e.seats ?? "-"}/${e.minSeats}`,
      e.announced ? "yes" : "no",
      e.reason ?? "-",
    ]);
  }
  return head + table(rows);
}

export const events: Command = {
  summary: "a host's transitions and uptime",
  async run(args, io) {
    const { values, positionals } = parseCommand("events", args, {}, { min: 1, max: 1, names: "HOST" });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    const id = positionals[0] as string;
    const problem = hostIdProblem(id);
    if (problem) throw new UsageError(describeHostIdProblem(id, problem));
    const api = new Api(resolveSettings(values, io.env));
    const { body } = await api.request<EventsAnswer>("GET", `/v1/hosts/${id}/events`, { auth: "read" });
    if (values.json) printJson(io, body);
    else io.stdout.write(renderEvents(body));
    return EXIT.ok;
  },
};
