/** `seatwatch apply -f FILE`: make the running fleet match the file, after printing the plan (DESIGN §9). */
import { COMMON_HELP, parseCommand } from "../args.ts";
import { Api, ApiRefused, resolveSettings, Unreachable } from "../client.ts";
import { EXIT, EXIT_HELP } from "../exit.ts";
import { type Plan, planFleet } from "../fleet/plan.ts";
import { type Applied, applyChanges, readRunning } from "../fleet/remote.ts";
import { countActions, renderPlan } from "../fleet/render.ts";
import { type FileError, formatFileError } from "../fleet/spec.ts";
import { type Io, printJson } from "../output.ts";
import type { Command } from "./command.ts";
import { loadFleetFile } from "./fleet-input.ts";

const HELP = `usage: seatwatch apply -f FILE [--dry-run] [--prune] [--resend-secrets] [--json]

Makes the running fleet match FILE (YAML or JSON; - reads stdin): prints the plan — create,
update, delete, field by field — then applies it. The whole file is checked first: an invalid
file, or one this Worker cannot take (a field it does not have yet, a secret variable that is
not set), changes nothing, and each error names the file, line and field.
Applying the same file twice changes nothing the second time, and sends no write at all.

  -f, --file FILE       the fleet file
  --dry-run             print the plan only
  --prune               also delete the hosts, webhooks and windows the file does not name
                        (only in the sections the file has: a file without webhooks: leaves them alone)
  --resend-secrets      PUT every webhook again, with its secret, URL and credentials (routingKeyEnv,
                        tokenEnv, userEnv) from the environment: the Worker's listings redact them, so a
                        changed secret or token alone is not seen otherwise
${COMMON_HELP}

--json prints {file, url, dryRun, changes, kept, applied, secrets, requests: {reads, writes}}.

${EXIT_HELP}
     apply: 1 when a write is refused; what was applied before it is listed
`;

function summary(plan: Plan) {
  return plan.changes.map(({ kind, name, action, fields, notes }) => ({ kind, name, action, fields, notes }));
}

function printErrors(io: Io, json: boolean, errors: FileError[], what: string): number {
  for (const e of errors) io.stderr.write(`${formatFileError(e)}\n`);
  io.stderr.write(`seatwatch: ${what}; nothing was changed\n`);
  if (json) printJson(io, { error: { code: "invalid_file", message: what }, errors });
  return EXIT.usage;
}

function appliedLine({ change, secret }: Applied): string {
  const verb = { create: "created", update: "updated", delete: "deleted" }[change.action];
  let line = `✓ ${change.kind} ${change.name} ${verb}`;
  if (change.kind === "host" && change.action === "create") line += ` (next: seatwatch hosts enroll ${change.name})`;
  if (secret) line += `\n  signing secret (shown this once; give it to the receiver): ${secret}`;
  return line;
}

export const apply: Command = {
  summary: "make the running fleet match a fleet file (plan first; --dry-run, --prune)",
  async run(args, io) {
    const { values } = parseCommand("apply", args, {
      file: { type: "string", short: "f" },
      "dry-run": { type: "boolean" },
      prune: { type: "boolean" },
      "resend-secrets": { type: "boolean" },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    const json = values.json === true;
    const loaded = await loadFleetFile(values.file, io);
    if (!loaded.ok) return printErrors(io, json, loaded.errors, `${loaded.errors.length} error(s) in the fleet file`);
    const { file } = loaded;
    const api = new Api(resolveSettings(values, io.env));
    api.requireAdmin("apply");
    const running = await readRunning(api);
    const plan = planFleet(file, running, {
      prune: values.prune === true,
      resendSecrets: values["resend-secrets"] === true,
      env: io.env,
      url: api.settings.url,
    });
    if (plan.problems.length > 0) {
      return printErrors(io, json, plan.problems, `the file cannot be applied to ${api.settings.url}`);
    }
    const dryRun = values["dry-run"] === true;
    if (!json) io.stdout.write(renderPlan(plan, file.path, api.settings.url));
    const applied: Applied[] = [];
    let failure: ApiRefused | Unreachable | null = null;
    if (!dryRun && plan.changes.length > 0) {
      try {
        await applyChanges(api, plan.changes, (a) => {
          applied.push(a);
          if (!json) io.stdout.write(`${appliedLine(a)}\n`);
        });
      } catch (error) {
        if (!(error instanceof ApiRefused || error instanceof Unreachable)) throw error;
        failure = error;
      }
    }
    const output = {
      file: file.path,
      url: api.settings.url,
      dryRun,
      prune: values.prune === true,
      changes: summary(plan),
      counts: countActions(plan),
      kept: plan.kept,
      applied: applied.map(({ change }) => ({ kind: change.kind, name: change.name, action: change.action })),
      secrets: Object.fromEntries(applied.flatMap((a) => (a.secret ? [[a.change.name, a.secret]] : []))),
      requests: { reads: api.reads, writes: api.writes },
      ...(failure
        ? {
            error: { code: failure instanceof ApiRefused ? failure.code : "unreachable", message: failure.message },
            hint: failure.hint,
          }
        : {}),
    };
    if (json) printJson(io, output);
    if (failure) {
      const left = plan.changes.length - applied.length;
      io.stderr.write(
        `seatwatch: apply stopped: ${failure.message}\n${failure.hint ? `  ${failure.hint}\n` : ""}  ${applied.length} of ${plan.changes.length} changes were applied, ${left} not; fix the cause and apply again (it plans from what is there)\n`,
      );
      return failure instanceof ApiRefused ? EXIT.refused : EXIT.unreachable;
    }
    if (!json && !dryRun && plan.changes.length > 0) io.stdout.write(`Applied ${applied.length} changes.\n`);
    return EXIT.ok;
  },
};
