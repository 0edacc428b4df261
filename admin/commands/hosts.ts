/** `seatwatch hosts list|show|add|enroll|pause|resume|rm`: one host at a time (the fleet file: apply). */
import { describeHostIdProblem, hostIdProblem } from "../../protocol/host.ts";
import { COMMON_HELP, intFlag, listFlag, parseSubcommand, UsageError } from "../args.ts";
import { Api, resolveSettings } from "../client.ts";
import { EXIT, EXIT_HELP } from "../exit.ts";
import { ago, type Io, list, printJson, table } from "../output.ts";
import { type PolicyField, policyProblem } from "../policy.ts";
import type { Command } from "./command.ts";

const HELP = `usage: seatwatch hosts <list|show|add|enroll|pause|resume|rm> [HOST] [options]

  list                  every host: state, seats, policy highlights (GET /v1/hosts)
  show HOST             one host in detail: policy, last beat, servers, warnings (GET /v1/hosts/HOST)
  add HOST [policy]     create a host with no key yet (PUT /v1/hosts/HOST); it stays "new" until
                        its beacon enrolls. Refuses a host that exists (change it with apply or pause).
                        --min-seats N --grace-seconds S --alert-after S --repeat-every S
                        --labels a,b --max-wait-seconds S --min-working N --max-quiet-seconds S
                        --public-key whpk_… (register a key now instead of enrolling)
  enroll HOST           issue a one-time enrollment token (POST /v1/hosts/HOST/enrollment; creates the
                        host if needed) and print the beacon command that uses it
                        --ttl SECONDS  how long the token lives (the Worker's default: 24 h)
  pause HOST            mute a host (PATCH paused: true); --until TIME (ISO 8601) or --for DURATION
                        (30m, 2h, 1d) resumes it by itself; --label L pauses every host carrying L
  resume HOST           unmute (paused: false, pausedUntil: null); --label L for every host carrying L
  rm HOST               delete the host, its key and its history (DELETE /v1/hosts/HOST)

list and show use the read token (SEATWATCH_READ_TOKEN, when the Worker sets READ_TOKEN); the others
the admin token.
${COMMON_HELP}

${EXIT_HELP}
`;

const POLICY_FLAGS: Record<string, PolicyField> = {
  "min-seats": "minSeats",
  "grace-seconds": "graceSeconds",
  "alert-after": "alertAfter",
  "repeat-every": "repeatEvery",
  "max-wait-seconds": "maxWaitSeconds",
  "min-working": "minWorking",
  "max-quiet-seconds": "maxQuietSeconds",
};

const OPTIONS = {
  ...Object.fromEntries(Object.keys(POLICY_FLAGS).map((flag) => [flag, { type: "string" as const }])),
  labels: { type: "string" },
  "public-key": { type: "string" },
  ttl: { type: "string" },
  until: { type: "string" },
  for: { type: "string" },
  label: { type: "string" },
} as const;

function checkedId(id: string | undefined, sub: string): string {
  if (id === undefined) throw new UsageError(`hosts ${sub} needs HOST; run seatwatch hosts --help`);
  const problem = hostIdProblem(id);
  if (problem) throw new UsageError(describeHostIdProblem(id, problem));
  return id;
}

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

function pauseBody(values: { until?: string; for?: string }, now: number): Record<string, unknown> {
  if (values.until !== undefined && values.for !== undefined) throw new UsageError("give --until or --for, not both");
  if (values.until !== undefined) {
    if (Number.isNaN(Date.parse(values.until))) {
      throw new UsageError(
        `--until takes an ISO 8601 time such as 2026-12-01T06:00:00Z (got ${JSON.stringify(values.until)})`,
      );
    }
    return { pausedUntil: new Date(values.until).toISOString() };
  }
  if (values.for !== undefined) {
    const match = DURATION.exec(values.for);
    if (!match)
      throw new UsageError(`--for takes a duration such as 30m, 2h or 1d (got ${JSON.stringify(values.for)})`);
    const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    return { pausedUntil: new Date(now + ms).toISOString() };
  }
  return { paused: true };
}

function policyFromFlags(values: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const policy: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(POLICY_FLAGS)) {
    const n = intFlag(flag, values[flag] as string | undefined);
    if (n === undefined) continue;
    const problem = policyProblem(field, n);
    if (problem) throw new UsageError(`--${flag} ${problem}`);
    policy[field] = n;
  }
  const labels = listFlag(values.labels as string | undefined);
  if (labels !== undefined) {
    const problem = policyProblem("labels", labels);
    if (problem) throw new UsageError(`--labels ${problem}`);
    policy.labels = labels;
  }
  return policy;
}

interface HostSummary {
  id: string;
  state: string;
  reason: string | null;
  seats: number | null;
  minSeats: number;
  lastSeen: string | null;
  labels: string[];
  policy: { graceSeconds: number; paused: boolean; pausedUntil: string | null };
}

function renderList(hosts: HostSummary[], now: number): string {
  if (hosts.length === 0) return "no hosts; add one with seatwatch hosts add HOST, or seatwatch apply -f FILE\n";
  const rows = [["HOST", "STATE", "SEATS", "GRACE", "LAST SEEN", "LABELS", "REASON"]];
  for (const h of hosts) {
    rows.push([
      h.id,
      h.state,
      `${h.seats ?? "-"}/${h.minSeats}`,
      `${h.policy.graceSeconds}s`,
      ago(h.lastSeen, now),
      list(h.labels),
      h.reason ?? (h.policy.pausedUntil ? `until ${h.policy.pausedUntil}` : "-"),
    ]);
  }
  return table(rows);
}

function renderDetail(d: Record<string, unknown>, now: number): string {
  const lastBeat = d.lastBeat as { receivedAt: string; seats: number; idle: number; observed: string } | null;
  const lines = [
    `host ${d.id}: ${d.state}${d.reason ? ` (${d.reason})` : ""}, since ${d.since ?? "-"}`,
    `  seats ${d.seats ?? "-"} of ${d.minSeats} wanted; key ${d.keyRegistered ? "registered" : "not registered (seatwatch hosts enroll)"}`,
    `  last beat ${lastBeat ? `${ago(lastBeat.receivedAt, now)}: observed ${lastBeat.observed}, ${lastBeat.seats} seats, ${lastBeat.idle} idle` : "never"}`,
    `  policy ${JSON.stringify(d.policy)}`,
  ];
  const warnings = d.warnings as string[] | undefined;
  if (warnings && warnings.length > 0) lines.push(`  warnings: ${warnings.join(", ")}`);
  return `${lines.join("\n")}\n`;
}

async function patchOne(api: Api, id: string | undefined, label: string | undefined, sub: string, body: unknown) {
  if (label !== undefined) {
    if (id !== undefined) throw new UsageError(`hosts ${sub}: give HOST or --label, not both`);
    return api.request<Record<string, unknown>>("PATCH", `/v1/hosts?label=${encodeURIComponent(label)}`, {
      auth: "admin",
      body,
    });
  }
  return api.request<Record<string, unknown>>("PATCH", `/v1/hosts/${checkedId(id, sub)}`, { auth: "admin", body });
}

async function run(
  sub: string | undefined,
  id: string | undefined,
  values: Record<string, string | boolean | undefined>,
  io: Io,
) {
  const api = new Api(resolveSettings(values, io.env));
  const json = values.json === true;
  const now = Date.now();
  switch (sub) {
    case "list": {
      const { body } = await api.request<{ hosts: HostSummary[] }>("GET", "/v1/hosts", { auth: "read" });
      if (json) printJson(io, body);
      else io.stdout.write(renderList(body.hosts, now));
      return EXIT.ok;
    }
    case "show": {
      const { body } = await api.request<Record<string, unknown>>("GET", `/v1/hosts/${checkedId(id, sub)}`, {
        auth: "read",
      });
      if (json) printJson(io, body);
      else io.stdout.write(renderDetail(body, now));
      return EXIT.ok;
    }
    case "add": {
      const host = checkedId(id, sub);
      const body = policyFromFlags(values);
      if (values["public-key"] !== undefined) body.publicKey = values["public-key"];
      api.requireAdmin("hosts add");
      const existing = await api.request<{ hosts: { id: string }[] }>("GET", "/v1/hosts", { auth: "read" });
      if (existing.body.hosts.some((h) => h.id === host)) {
        io.stderr.write(
          `seatwatch: host ${host} exists; PUT would reset its policy. Change it with seatwatch apply, or pause/resume it\n`,
        );
        if (json) printJson(io, { error: { code: "host_exists", message: `host ${host} exists` } });
        return EXIT.refused;
      }
      const answer = await api.request<Record<string, unknown>>("PUT", `/v1/hosts/${host}`, { auth: "admin", body });
      if (json) printJson(io, answer.body);
      else io.stdout.write(`added host ${host} (state ${answer.body.state}); next: seatwatch hosts enroll ${host}\n`);
      return EXIT.ok;
    }
    case "enroll": {
      const host = checkedId(id, sub);
      const ttl = intFlag("ttl", values.ttl as string | undefined);
      const answer = await api.request<{ token: string; expiresAt: string }>("POST", `/v1/hosts/${host}/enrollment`, {
        auth: "admin",
        body: ttl === undefined ? {} : { ttlSeconds: ttl },
      });
      const command = `SEATWATCH_URL=${api.settings.url} seatwatch-beacon enroll --host ${host} --token ${answer.body.token}`;
      if (json) printJson(io, { ...answer.body, host, command });
      else {
        io.stdout.write(
          `one-time enrollment token for ${host}, valid until ${answer.body.expiresAt}. On the host, after seatwatch-beacon keygen:\n  ${command}\n`,
        );
      }
      return EXIT.ok;
    }
    case "pause":
    case "resume": {
      const body =
        sub === "pause"
          ? pauseBody(values as { until?: string; for?: string }, now)
          : { paused: false, pausedUntil: null };
      const answer = await patchOne(api, id, values.label as string | undefined, sub, body);
      if (json) printJson(io, answer.body);
      else if (values.label !== undefined)
        io.stdout.write(`${sub}d ${answer.body.changed} hosts carrying ${values.label}\n`);
      else
        io.stdout.write(
          `${sub}d host ${id}: state ${answer.body.state}${"pausedUntil" in body ? `, until ${body.pausedUntil}` : ""}\n`,
        );
      return EXIT.ok;
    }
    case "rm": {
      const host = checkedId(id, sub);
      await api.request("DELETE", `/v1/hosts/${host}`, { auth: "admin" });
      if (json) printJson(io, { deleted: true, host });
      else io.stdout.write(`deleted host ${host}: its beats are ignored from now on\n`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(
        `hosts ${sub === undefined ? "needs a subcommand" : `has no subcommand ${JSON.stringify(sub)}`}: list, show, add, enroll, pause, resume, rm`,
      );
  }
}

export const hosts: Command = {
  summary: "list, show, add, enroll, pause, resume or rm a host",
  async run(args, io) {
    const { values, sub, name } = parseSubcommand("hosts", args, OPTIONS, "HOST");
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    return run(sub, name, values, io);
  },
};
