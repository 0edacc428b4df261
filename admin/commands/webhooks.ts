/** `seatwatch webhooks list|add|test|rm`: where alerts go (DESIGN §5, §6). */
import {
  CREDENTIALS,
  type Credential,
  type Format,
  formatsTaking,
  isSecretCredential,
  RECEIVERS,
} from "../../protocol/webhooks.ts";
import { COMMON_HELP, listFlag, parseSubcommand, UsageError } from "../args.ts";
import { Api, resolveSettings } from "../client.ts";
import { EXIT, EXIT_HELP } from "../exit.ts";
import { WEBHOOK_FORMATS, WEBHOOK_NAME_PATTERN } from "../fleet/spec.ts";
import { type Io, list, printJson, table } from "../output.ts";
import { labelsProblem, STATES } from "../policy.ts";
import type { Command } from "./command.ts";

const HELP = `usage: seatwatch webhooks <list|add|test|rm> [NAME] [options]

  list                  every webhook: format, URL (secret parts redacted), labels, states, pending
                        and undelivered alerts (GET /v1/webhooks)
  add NAME --url URL    create or replace a webhook (PUT /v1/webhooks/NAME); --url may be left out for
                        pagerduty, opsgenie and pushover (their one endpoint)
                        --format F       ${WEBHOOK_FORMATS.join(", ")} (default json)
                        --labels a,b     only hosts carrying one of these labels (default: every host)
                        --states s,t     only these states (default: all; needs a Worker that routes by state)
                        --secret-env VAR the whsec_ signing secret, from this environment variable;
                                         without it a new webhook gets a generated secret, printed once,
                                         and a replaced one keeps its secret
                        --routing-key-env VAR  pagerduty: the integration key, from this variable
                        --token-env VAR  opsgenie, pushover, gotify, matrix: the API or app token, from VAR
                        --user-env VAR   pushover: the user or group key, from this variable
                        --chat-id ID     telegram: the chat id ("-1001234567890") or "@channel"
  test NAME             send a signed test alert now (POST /v1/webhooks/NAME/test)
  rm NAME               delete it and its queued alerts (DELETE /v1/webhooks/NAME)

Every subcommand uses the admin token. Here --url is the receiver; the Worker comes from SEATWATCH_URL.
${COMMON_HELP.replace(/ {2}--url URL.*\n/, "")}

${EXIT_HELP}
     test: 1 also when the receiver did not answer 2xx (502 delivery_failed)
`;

const OPTIONS = {
  "url-value": { type: "string" },
  format: { type: "string" },
  labels: { type: "string" },
  states: { type: "string" },
  "secret-env": { type: "string" },
  "routing-key-env": { type: "string" },
  "token-env": { type: "string" },
  "user-env": { type: "string" },
  "chat-id": { type: "string" },
} as const;

/** The flag that gives each credential: secrets by the variable holding them, never on the command line. */
const CREDENTIAL_FLAGS: Record<Credential, keyof typeof OPTIONS> = {
  routingKey: "routing-key-env",
  token: "token-env",
  user: "user-env",
  chatId: "chat-id",
};

interface WebhookView {
  name: string;
  url: string;
  format: string;
  labels: string[];
  states?: string[] | null;
  pending: number;
  undeliveredCount: number;
}

function checkedName(name: string | undefined, sub: string): string {
  if (name === undefined) throw new UsageError(`webhooks ${sub} needs NAME; run seatwatch webhooks --help`);
  if (!WEBHOOK_NAME_PATTERN.test(name)) {
    throw new UsageError(
      `webhook name ${JSON.stringify(name)} is invalid: use 1-63 characters of a-z, 0-9, '_' or '-'`,
    );
  }
  return name;
}

function fromEnv(io: Io, flag: string, variable: string | undefined): string | undefined {
  if (variable === undefined) return undefined;
  const value = io.env[variable];
  if (!value) throw new UsageError(`--${flag} ${variable}: the variable is not set (export ${variable}=…)`);
  return value;
}

function addBody(values: Record<string, string | boolean | undefined>, io: Io): Record<string, unknown> {
  const format = (values.format as string | undefined) ?? "json";
  if (!(WEBHOOK_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${WEBHOOK_FORMATS.join(", ")} (got ${JSON.stringify(format)})`);
  }
  const receiver = RECEIVERS[format as Format];
  const url = values["url-value"] as string | undefined;
  if (url === undefined && receiver.url === undefined) {
    throw new UsageError("webhooks add needs --url URL (the receiver)");
  }
  const body: Record<string, unknown> = { format, labels: listFlag(values.labels as string | undefined) ?? [] };
  const labels = labelsProblem(body.labels);
  if (labels) throw new UsageError(`--labels ${labels}`);
  if (url !== undefined) body.url = url;
  const states = listFlag(values.states as string | undefined);
  if (states !== undefined) {
    const bad = states.find((s) => !(STATES as readonly string[]).includes(s));
    if (bad !== undefined)
      throw new UsageError(`--states: ${JSON.stringify(bad)} is not a state (${STATES.join(", ")})`);
    body.states = states;
  }
  const secret = fromEnv(io, "secret-env", values["secret-env"] as string | undefined);
  if (secret !== undefined) body.secret = secret;
  for (const credential of CREDENTIALS) {
    const flag = CREDENTIAL_FLAGS[credential];
    const given = values[flag] as string | undefined;
    const need = receiver.needs[credential];
    if (need === undefined) {
      if (given !== undefined) {
        throw new UsageError(`--${flag} is only for format ${formatsTaking(credential).join(", ")}; remove it`);
      }
    } else if (given === undefined) {
      throw new UsageError(
        `format ${format} needs --${flag}: ${isSecretCredential(credential) ? `the variable holding ${need.what}` : need.what}`,
      );
    } else body[credential] = isSecretCredential(credential) ? fromEnv(io, flag, given) : given;
  }
  return body;
}

function renderList(hooks: WebhookView[]): string {
  if (hooks.length === 0) return "no webhooks; add one with seatwatch webhooks add NAME --url URL\n";
  const rows = [["NAME", "FORMAT", "LABELS", "STATES", "PENDING", "UNDELIVERED", "URL"]];
  for (const h of hooks) {
    rows.push([h.name, h.format, list(h.labels), list(h.states), String(h.pending), String(h.undeliveredCount), h.url]);
  }
  return table(rows);
}

async function run(
  sub: string | undefined,
  name: string | undefined,
  values: Record<string, string | boolean | undefined>,
  io: Io,
) {
  const api = new Api(resolveSettings(values, io.env));
  const json = values.json === true;
  switch (sub) {
    case "list": {
      const { body } = await api.request<{ webhooks: WebhookView[] }>("GET", "/v1/webhooks", { auth: "admin" });
      if (json) printJson(io, body);
      else io.stdout.write(renderList(body.webhooks));
      return EXIT.ok;
    }
    case "add": {
      const hook = checkedName(name, sub);
      const answer = await api.request<Record<string, unknown>>("PUT", `/v1/webhooks/${hook}`, {
        auth: "admin",
        body: addBody(values, io),
      });
      if (json) printJson(io, { ...answer.body, created: answer.status === 201 });
      else {
        io.stdout.write(`${answer.status === 201 ? "created" : "replaced"} webhook ${hook} → ${answer.body.url}\n`);
        const secret = answer.body.secret;
        if (typeof secret === "string" && !secret.includes("***")) {
          io.stdout.write(`signing secret (shown this once; give it to the receiver): ${secret}\n`);
        }
      }
      return EXIT.ok;
    }
    case "test": {
      const hook = checkedName(name, sub);
      const answer = await api.request<{ delivered: boolean; status: number }>("POST", `/v1/webhooks/${hook}/test`, {
        auth: "admin",
      });
      if (json) printJson(io, answer.body);
      else io.stdout.write(`test alert delivered to ${hook}: the receiver answered ${answer.body.status}\n`);
      return EXIT.ok;
    }
    case "rm": {
      const hook = checkedName(name, sub);
      await api.request("DELETE", `/v1/webhooks/${hook}`, { auth: "admin" });
      if (json) printJson(io, { deleted: true, name: hook });
      else io.stdout.write(`deleted webhook ${hook}\n`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(
        `webhooks ${sub === undefined ? "needs a subcommand" : `has no subcommand ${JSON.stringify(sub)}`}: list, add, test, rm`,
      );
  }
}

export const webhooks: Command = {
  summary: "list, add, test or rm an alert webhook",
  async run(args, io) {
    // --url names the Worker everywhere else; here it is the receiver, so the Worker comes from SEATWATCH_URL.
    const renamed = args.map((a) =>
      a === "--url" ? "--url-value" : a.startsWith("--url=") ? `--url-value=${a.slice(6)}` : a,
    );
    const { values, sub, name } = parseSubcommand("webhooks", renamed, OPTIONS, "NAME");
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    return run(sub, name, values, io);
  },
};
