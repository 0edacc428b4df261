/** `seatwatch maintenance list|add|rm`: windows in which matching hosts are paused (DESIGN §6). */
import { COMMON_HELP, listFlag, parseSubcommand, UsageError } from "../args.ts";
import { Api, ApiRefused, resolveSettings } from "../client.ts";
import { EXIT, EXIT_HELP } from "../exit.ts";
import { readMaintenance } from "../fleet/remote.ts";
import type { RunningWindow } from "../fleet/running.ts";
import {
  REQUIRED_WINDOW_FIELDS,
  WINDOW_NAME_PATTERN,
  type Window,
  type WindowField,
  windowFieldProblem,
} from "../maintenance.ts";
import { type Io, list, printJson, table } from "../output.ts";
import type { Command } from "./command.ts";

const HELP = `usage: seatwatch maintenance <list|add|rm> [NAME] [options]

  list                  every window (GET /v1/maintenance)
  add NAME              create or replace a window (PUT /v1/maintenance/NAME):
                        --days mon-fri   day names and ranges: mon-fri, sat,sun, mon-sun
                        --from HH:MM --to HH:MM  local times in --tz (a window may cross midnight)
                        --tz ZONE        an IANA zone, e.g. Europe/Berlin or UTC
                        --hosts a,b      these hosts, and/or
                        --labels x,y     hosts carrying these labels
                        --note TEXT
  rm NAME               delete a window (DELETE /v1/maintenance/NAME)

Inside a window matching hosts are paused (reason maintenance:NAME); grace restarts at its end.
Every subcommand uses the admin token.
${COMMON_HELP}

${EXIT_HELP}
`;

const OPTIONS = {
  days: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  tz: { type: "string" },
  hosts: { type: "string" },
  labels: { type: "string" },
  note: { type: "string" },
} as const;

function checkedName(name: string | undefined, sub: string): string {
  if (name === undefined) throw new UsageError(`maintenance ${sub} needs NAME; run seatwatch maintenance --help`);
  if (!WINDOW_NAME_PATTERN.test(name)) {
    throw new UsageError(`window name ${JSON.stringify(name)} is invalid: use 1-63 characters of a-z, 0-9, '_' or '-'`);
  }
  return name;
}

/** The window the flags describe, checked field by field before anything is sent. */
export function windowFromFlags(values: Record<string, string | boolean | undefined>): Window {
  const window: Record<string, unknown> = {};
  for (const field of ["days", "from", "to", "tz", "note"] as const) {
    if (values[field] !== undefined) window[field] = values[field];
  }
  for (const field of ["hosts", "labels"] as const) {
    const entries = listFlag(values[field] as string | undefined);
    if (entries !== undefined) window[field] = entries;
  }
  for (const field of REQUIRED_WINDOW_FIELDS) {
    if (window[field] === undefined)
      throw new UsageError(`maintenance add needs --${field} (a window has --days, --from, --to and --tz)`);
  }
  for (const [field, value] of Object.entries(window)) {
    const problem = windowFieldProblem(field as WindowField, value);
    if (problem) throw new UsageError(`--${field} ${problem}`);
  }
  return window as unknown as Window;
}

/** Says plainly that this Worker has no maintenance API yet, instead of a bare 404. */
function unsupported(api: Api): ApiRefused {
  return new ApiRefused(
    404,
    "not_found",
    `the Worker at ${api.settings.url} has no maintenance API yet (GET /v1/maintenance: 404 not_found)`,
    "upgrade the Worker (DESIGN §6 maintenance windows), or pause hosts with seatwatch hosts pause --for",
  );
}

function renderList(windows: RunningWindow[]): string {
  if (windows.length === 0) return "no maintenance windows; add one with seatwatch maintenance add NAME\n";
  const rows = [["NAME", "DAYS", "FROM", "TO", "TZ", "HOSTS", "LABELS", "NOTE"]];
  for (const w of windows) rows.push([w.name, w.days, w.from, w.to, w.tz, list(w.hosts), list(w.labels), w.note ?? ""]);
  return table(rows);
}

async function run(
  sub: string | undefined,
  name: string | undefined,
  values: Record<string, string | boolean | undefined>,
  io: Io,
) {
  const json = values.json === true;
  if (sub === "add") {
    checkedName(name, sub);
    windowFromFlags(values);
  }
  const api = new Api(resolveSettings(values, io.env));
  const supported = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ApiRefused && error.status === 404 && error.code === "not_found") throw unsupported(api);
      throw error;
    }
  };
  switch (sub) {
    case "list": {
      const windows = await readMaintenance(api);
      if (windows === null) throw unsupported(api);
      if (json) printJson(io, { maintenance: windows });
      else io.stdout.write(renderList(windows));
      return EXIT.ok;
    }
    case "add": {
      const window = checkedName(name, sub);
      const answer = await supported(() =>
        api.request<Record<string, unknown>>("PUT", `/v1/maintenance/${window}`, {
          auth: "admin",
          body: windowFromFlags(values),
        }),
      );
      if (json) printJson(io, answer.body);
      else io.stdout.write(`${answer.status === 201 ? "created" : "replaced"} maintenance window ${window}\n`);
      return EXIT.ok;
    }
    case "rm": {
      const window = checkedName(name, sub);
      await supported(() => api.request("DELETE", `/v1/maintenance/${window}`, { auth: "admin" }));
      if (json) printJson(io, { deleted: true, name: window });
      else io.stdout.write(`deleted maintenance window ${window}\n`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(
        `maintenance ${sub === undefined ? "needs a subcommand" : `has no subcommand ${JSON.stringify(sub)}`}: list, add, rm`,
      );
  }
}

export const maintenance: Command = {
  summary: "list, add or rm a maintenance window",
  async run(args, io) {
    const { values, sub, name } = parseSubcommand("maintenance", args, OPTIONS, "NAME");
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    return run(sub, name, values, io);
  },
};
