/**
 * The plan: what apply must do to make the running fleet match a file, field by field (DESIGN §9).
 * A pure function of the file, the running fleet and the environment, so it is tested without a
 * Worker, and everything that could stop an apply half-way is found here, before the first write.
 *
 * Secrets cannot be compared: the Worker's listings redact webhook secrets, the secret credentials
 * (routing keys, tokens, Pushover user keys: `***` when set) and the secret parts of URLs. A webhook
 * is therefore re-sent — with its secret and credentials from the variables the file names — when
 * it is created, when a field the listing shows differs (a secret credential counts as shown by
 * whether it is set at all), or when `--resend-secrets` asks for it. A new value in the same
 * variable is not seen otherwise: the Worker keeps neither the variable's name nor a fingerprint.
 */
import { CREDENTIALS, type Format, isSecretCredential, RECEIVERS } from "../../protocol/webhooks.ts";
import { WINDOW_FIELDS, type Window } from "../maintenance.ts";
import { DEFAULT_POLICY, POLICY_FIELDS, type PolicyField, type PolicySpec } from "../policy.ts";
import type { FleetFile } from "./file.ts";
import { type RunningFleet, type RunningWebhook, type RunningWindow, visibleUrlMatches } from "./running.ts";
import { type CredentialEnvField, envFieldOf, type FileError, type WebhookSpec } from "./spec.ts";

export type Kind = "host" | "webhook" | "maintenance";
export type Action = "create" | "update" | "delete";

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface Change {
  kind: Kind;
  name: string;
  action: Action;
  fields: FieldChange[];
  /** Why a webhook is re-sent although nothing visible changed, or what its secret is. */
  notes: string[];
  /** Holds secrets from the environment: never printed. */
  request: { method: "PUT" | "PATCH" | "DELETE"; path: string; body?: Record<string, unknown> };
}

export interface Plan {
  changes: Change[];
  /** Running things the file does not name, left alone because --prune was not given. */
  kept: { kind: Kind; name: string }[];
  /** Reasons the plan cannot be applied; non-empty means nothing may be written. */
  problems: FileError[];
}

export interface PlanOptions {
  prune: boolean;
  resendSecrets: boolean;
  env: Record<string, string | undefined>;
  /** Names the Worker in messages. */
  url: string;
}

const sameSet = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((x) => b.includes(x)) && b.every((x) => a.includes(x));

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return sameSet(a, b);
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

const ORDER: Record<Action, number> = { create: 0, update: 0, delete: 1 };
const KIND_ORDER: Record<Kind, number> = { host: 0, webhook: 1, maintenance: 2 };

/** Creates and updates first (hosts before what may name them), then deletes in reverse. */
function ordered(changes: Change[]): Change[] {
  return [...changes].sort((a, b) => {
    if (ORDER[a.action] !== ORDER[b.action]) return ORDER[a.action] - ORDER[b.action];
    const k = KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
    return a.action === "delete" ? -k : k;
  });
}

class Planner {
  readonly changes: Change[] = [];
  readonly kept: Plan["kept"] = [];
  readonly problems: FileError[] = [];

  constructor(
    private readonly file: FleetFile,
    private readonly running: RunningFleet,
    private readonly options: PlanOptions,
  ) {}

  problem(path: string[], message: string): void {
    const place = this.file.place(path);
    this.problems.push({
      file: this.file.path,
      line: place?.line ?? null,
      col: place?.col ?? null,
      field: path.join("."),
      message,
    });
  }

  prune(kind: Kind, names: string[], wanted: Record<string, unknown>, path: (name: string) => string): void {
    for (const name of names) {
      if (name in wanted) continue;
      if (!this.options.prune) this.kept.push({ kind, name });
      else
        this.changes.push({
          kind,
          name,
          action: "delete",
          fields: [],
          notes: [],
          request: { method: "DELETE", path: path(name) },
        });
    }
  }

  hosts(wanted: Record<string, PolicySpec>): void {
    const defaults = this.file.spec.defaults;
    // Every host reports its whole policy: a field none reports is one this Worker does not have yet.
    const supported = new Set(this.running.hosts.flatMap((h) => Object.keys(h.policy)));
    const byId = new Map(this.running.hosts.map((h) => [h.id, h]));
    for (const [id, spec] of Object.entries(wanted)) {
      const desired: PolicySpec = { ...defaults, ...spec };
      for (const field of Object.keys(desired) as PolicyField[]) {
        if (supported.size > 0 && !supported.has(field)) {
          const path = field in spec ? ["hosts", id, field] : ["defaults", field];
          this.problem(
            path,
            `the Worker at ${this.options.url} does not support policy field ${field} yet (its policies have ${[...supported].join(", ")}); remove it or upgrade the Worker`,
          );
        }
      }
      const path = `/v1/hosts/${id}`;
      const running = byId.get(id);
      if (!running) {
        const fields = Object.entries(desired).map(([field, to]) => ({ field, from: null, to }));
        this.changes.push({
          kind: "host",
          name: id,
          action: "create",
          fields,
          notes: [],
          request: { method: "PUT", path, body: { ...desired } },
        });
        continue;
      }
      const fields: FieldChange[] = [];
      for (const field of POLICY_FIELDS) {
        if (!(field in running.policy)) continue;
        const to = desired[field] ?? DEFAULT_POLICY[field];
        if (!same(running.policy[field], to)) fields.push({ field, from: running.policy[field], to });
      }
      if (fields.length === 0) continue;
      // PATCH the differences only: policy fields this CLI does not know stay as they are.
      const body = Object.fromEntries(fields.map((f) => [f.field, f.to]));
      this.changes.push({
        kind: "host",
        name: id,
        action: "update",
        fields,
        notes: [],
        request: { method: "PATCH", path, body },
      });
    }
    this.prune(
      "host",
      this.running.hosts.map((h) => h.id),
      wanted,
      (id) => `/v1/hosts/${id}`,
    );
  }

  /** The value of `spec[field]`'s variable, or a problem naming it (only for webhooks that are written). */
  fromEnv(name: string, spec: WebhookSpec, field: "urlEnv" | "secretEnv" | CredentialEnvField): string | undefined {
    const variable = spec[field];
    if (variable === undefined) return undefined;
    const value = this.options.env[variable];
    if (value === undefined || value === "") {
      this.problem(
        ["webhooks", name, field],
        `${variable} is not set; webhook ${name} must be sent, and its ${field.replace(/Env$/, "")} comes from ${variable}`,
      );
    }
    return value || undefined;
  }

  webhooks(wanted: Record<string, WebhookSpec>): void {
    const byName = new Map(this.running.webhooks.map((w) => [w.name, w]));
    const routesByState = this.running.webhooks.length === 0 ? null : this.running.webhooks.some((w) => "states" in w);
    for (const [name, spec] of Object.entries(wanted)) {
      if (spec.states !== undefined && routesByState === false) {
        this.problem(
          ["webhooks", name, "states"],
          `the Worker at ${this.options.url} does not route by state yet (its webhooks have no states); remove states or upgrade the Worker`,
        );
      }
      const running = byName.get(name);
      // No url in the file means the format's one endpoint, which the Worker fills in.
      const url = spec.url ?? (spec.urlEnv ? this.options.env[spec.urlEnv] : RECEIVERS[spec.format as Format].url);
      const fields = running ? this.webhookDiff(running, spec, url) : this.webhookFields(spec);
      const notes: string[] = [];
      if (running && fields.length === 0) {
        if (!this.options.resendSecrets) continue;
        notes.push("re-sent: --resend-secrets");
      }
      const body: Record<string, unknown> = { format: spec.format, labels: spec.labels };
      if (spec.states !== undefined) body.states = spec.states;
      const sentUrl = spec.url ?? this.fromEnv(name, spec, "urlEnv");
      if (sentUrl !== undefined) body.url = sentUrl;
      const secret = this.fromEnv(name, spec, "secretEnv");
      if (secret !== undefined) {
        if (!secret.startsWith("whsec_"))
          this.problem(
            ["webhooks", name, "secretEnv"],
            `${spec.secretEnv} must hold a whsec_ secret (base64 of 16-64 random bytes)`,
          );
        body.secret = secret;
        notes.push(`secret from $${spec.secretEnv}`);
      } else if (!running) notes.push("secret generated by the Worker, printed once");
      else notes.push("secret kept");
      const resent: string[] = [];
      for (const credential of CREDENTIALS) {
        if (!isSecretCredential(credential)) {
          if (spec[credential] !== undefined) body[credential] = spec[credential];
          continue;
        }
        const field = envFieldOf(credential);
        const value = this.fromEnv(name, spec, field);
        if (value === undefined) continue;
        const need = RECEIVERS[spec.format as Format].needs[credential];
        // The value is never quoted: the message names the variable and says what belongs in it.
        if (need !== undefined && !need.pattern.test(value)) {
          this.problem(
            ["webhooks", name, field],
            `${spec[field]} does not hold a ${spec.format} ${credential}; it must be ${need.what}`,
          );
        }
        body[credential] = value;
        resent.push(`${credential} from $${spec[field]}`);
      }
      if (running) notes.push(...resent);
      this.changes.push({
        kind: "webhook",
        name,
        action: running ? "update" : "create",
        fields,
        notes,
        request: { method: "PUT", path: `/v1/webhooks/${name}`, body },
      });
    }
    this.prune(
      "webhook",
      this.running.webhooks.map((w) => w.name),
      wanted,
      (n) => `/v1/webhooks/${n}`,
    );
  }

  private webhookFields(spec: WebhookSpec): FieldChange[] {
    const fields: FieldChange[] = [
      { field: "url", from: null, to: spec.url ?? (spec.urlEnv ? `$${spec.urlEnv}` : "(the format's endpoint)") },
    ];
    fields.push({ field: "format", from: null, to: spec.format });
    for (const credential of CREDENTIALS) {
      const to = isSecretCredential(credential) ? envPlaceholder(spec[envFieldOf(credential)]) : spec[credential];
      if (to !== undefined) fields.push({ field: credential, from: null, to });
    }
    if (spec.labels.length > 0) fields.push({ field: "labels", from: null, to: spec.labels });
    if (spec.states !== undefined) fields.push({ field: "states", from: null, to: spec.states });
    return fields;
  }

  private webhookDiff(running: RunningWebhook, spec: WebhookSpec, url: string | undefined): FieldChange[] {
    const fields: FieldChange[] = [];
    // A URL from an unset variable cannot be compared; it only matters if the webhook is re-sent.
    if (url !== undefined && !visibleUrlMatches(running.url, url)) {
      fields.push({ field: "url", from: running.url, to: spec.urlEnv ? `$${spec.urlEnv}` : url });
    }
    if (running.format !== spec.format) fields.push({ field: "format", from: running.format, to: spec.format });
    for (const credential of CREDENTIALS) {
      if (isSecretCredential(credential)) {
        // Only whether it is set can be seen: the listing shows *** for any value.
        const to = envPlaceholder(spec[envFieldOf(credential)]);
        if ((running[credential] === undefined) !== (to === undefined)) {
          fields.push({
            field: credential,
            from: running[credential] === undefined ? NONE : HIDDEN_VALUE,
            to: to ?? NONE,
          });
        }
      } else if ((running[credential] ?? null) !== (spec[credential] ?? null)) {
        fields.push({ field: credential, from: running[credential] ?? NONE, to: spec[credential] ?? NONE });
      }
    }
    if (!sameSet(running.labels, spec.labels)) fields.push({ field: "labels", from: running.labels, to: spec.labels });
    const hears = running.states ?? null;
    const wants = spec.states ?? null;
    if (hears === null ? wants !== null : wants === null || !sameSet(hears, wants)) {
      fields.push({ field: "states", from: hears ?? "(all)", to: wants ?? "(all)" });
    }
    return fields;
  }

  maintenance(wanted: Record<string, Window>): void {
    const running = this.running.maintenance;
    if (running === null) {
      const names = Object.keys(wanted);
      if (names.length > 0) {
        this.problem(
          ["maintenance", names[0] as string],
          `the Worker at ${this.options.url} has no maintenance API yet (GET /v1/maintenance: 404); remove maintenance from the file or upgrade the Worker`,
        );
      }
      return;
    }
    const byName = new Map(running.map((w) => [w.name, w]));
    for (const [name, window] of Object.entries(wanted)) {
      const current = byName.get(name);
      const fields = windowDiff(current, window);
      if (fields.length === 0) continue;
      this.changes.push({
        kind: "maintenance",
        name,
        action: current ? "update" : "create",
        fields,
        notes: [],
        request: { method: "PUT", path: `/v1/maintenance/${name}`, body: { ...window } },
      });
    }
    this.prune(
      "maintenance",
      running.map((w) => w.name),
      wanted,
      (n) => `/v1/maintenance/${n}`,
    );
  }
}

/** Placeholders the plan shows for credentials (render.ts prints them bare): never a secret's value. */
const NONE = "(none)";
const HIDDEN_VALUE = "(hidden)";
const envPlaceholder = (variable: string | undefined) => (variable === undefined ? undefined : `$${variable}`);

const WINDOW_EMPTY: Partial<Record<string, unknown>> = { hosts: [], labels: [], note: "" };

function windowDiff(current: RunningWindow | undefined, window: Window): FieldChange[] {
  const fields: FieldChange[] = [];
  for (const field of WINDOW_FIELDS) {
    const to = window[field] ?? WINDOW_EMPTY[field];
    const from = current ? (current[field] ?? WINDOW_EMPTY[field]) : null;
    if (current === undefined ? window[field] !== undefined : !same(from, to)) fields.push({ field, from, to });
  }
  return fields;
}

export function planFleet(file: FleetFile, running: RunningFleet, options: PlanOptions): Plan {
  const planner = new Planner(file, running, options);
  const { hosts, webhooks, maintenance } = file.spec;
  if (hosts !== null) planner.hosts(hosts);
  if (webhooks !== null) planner.webhooks(webhooks);
  if (maintenance !== null) planner.maintenance(maintenance);
  return { changes: ordered(planner.changes), kept: planner.kept, problems: planner.problems };
}
