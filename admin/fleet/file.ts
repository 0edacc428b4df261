/**
 * Reading a fleet file (YAML or JSON, DESIGN §9): parse with node positions, then check every
 * field, so an invalid file is refused whole — each error with its file, line and field — before
 * apply makes a single request.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { describeHostIdProblem, hostIdProblem } from "../../protocol/host.ts";
import { CREDENTIALS, type Format, formatsTaking, isSecretCredential, RECEIVERS } from "../../protocol/webhooks.ts";
import {
  REQUIRED_WINDOW_FIELDS,
  WINDOW_FIELDS,
  WINDOW_NAME_PATTERN,
  type Window,
  windowFieldProblem,
} from "../maintenance.ts";
import {
  isPolicyField,
  labelsProblem,
  normalizePolicyValue,
  POLICY_FIELDS,
  type PolicySpec,
  policyProblem,
  STATES,
} from "../policy.ts";
import {
  ENV_NAME_PATTERN,
  envFieldOf,
  type FileError,
  type FleetSpec,
  type Place,
  WEBHOOK_FORMATS,
  WEBHOOK_NAME_PATTERN,
  type WebhookSpec,
} from "./spec.ts";

export interface FleetFile {
  path: string;
  spec: FleetSpec;
  /** Where a field is written, for errors found later (a secret's variable unset). */
  place(path: readonly string[]): Place | null;
}

const SECTIONS = ["defaults", "hosts", "webhooks", "maintenance"];
/** Each credential's field in the file: the plain ones as they are, the secret ones as the variable holding them. */
const CREDENTIAL_FIELDS = CREDENTIALS.map((c) => (isSecretCredential(c) ? envFieldOf(c) : c));
const ENV_FIELDS = ["urlEnv", "secretEnv", ...CREDENTIALS.filter(isSecretCredential).map(envFieldOf)] as const;
const WEBHOOK_FIELDS = ["url", "urlEnv", "format", "labels", "states", "secretEnv", ...CREDENTIAL_FIELDS];
/** Credentials the Worker takes as values but the file may only name the variable of. */
const SECRET_FIELDS: readonly string[] = CREDENTIALS.filter(isSecretCredential);

type Value = unknown;
const key = (path: readonly string[]) => path.join("\u0000");

/** Positions of every key and list item, by path. */
function indexPlaces(node: Node | null, counter: LineCounter): Map<string, Place> {
  const places = new Map<string, Place>();
  const at = (offset: number): Place => counter.linePos(offset);
  const walk = (n: unknown, path: string[]) => {
    if (isMap(n)) {
      for (const pair of n.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const child = [...path, k];
        const range = (pair.key as Node | null)?.range;
        if (range) places.set(key(child), at(range[0]));
        walk(pair.value, child);
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => {
        const child = [...path, String(i)];
        const range = (item as Node | null)?.range;
        if (range) places.set(key(child), at(range[0]));
        walk(item, child);
      });
    }
  };
  if (node?.range) places.set(key([]), at(node.range[0]));
  walk(node, []);
  return places;
}

class Checker {
  readonly errors: FileError[] = [];
  constructor(
    private readonly file: string,
    private readonly places: Map<string, Place>,
  ) {}

  place(path: readonly string[]): Place | null {
    for (let n = path.length; n >= 0; n--) {
      const found = this.places.get(key(path.slice(0, n)));
      if (found) return found;
    }
    return null;
  }

  fail(path: readonly string[], message: string): void {
    const place = this.place(path);
    this.errors.push({
      file: this.file,
      line: place?.line ?? null,
      col: place?.col ?? null,
      field: path.join("."),
      message,
    });
  }

  /** A mapping (or null / absent: empty); anything else is an error. */
  map(value: Value, path: string[], what: string): Record<string, Value> {
    if (value === null || value === undefined) return {};
    if (typeof value !== "object" || Array.isArray(value)) {
      this.fail(path, `must be a mapping of ${what} (got ${Array.isArray(value) ? "a list" : JSON.stringify(value)})`);
      return {};
    }
    return value as Record<string, Value>;
  }

  unknownFields(value: Record<string, Value>, path: string[], known: readonly string[], what: string): void {
    for (const name of Object.keys(value)) {
      if (!known.includes(name)) {
        this.fail([...path, name], `unknown field ${JSON.stringify(name)}; ${what} are ${known.join(", ")}`);
      }
    }
  }

  policy(value: Value, path: string[]): PolicySpec {
    const fields = this.map(value, path, "policy fields");
    const spec: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(fields)) {
      if (!isPolicyField(name)) {
        this.fail(
          [...path, name],
          `unknown field ${JSON.stringify(name)}; policy fields are ${POLICY_FIELDS.join(", ")}`,
        );
        continue;
      }
      const problem = policyProblem(name, v);
      if (problem) this.fail([...path, name], problem);
      else spec[name] = normalizePolicyValue(name, v);
    }
    return spec as PolicySpec;
  }

  webhook(value: Value, path: string[]): WebhookSpec {
    const fields = this.map(value, path, "webhook fields");
    const rest: Record<string, Value> = {};
    for (const [name, v] of Object.entries(fields)) {
      if (SECRET_FIELDS.includes(name)) {
        this.fail(
          [...path, name],
          `${name} is a secret, and secrets never live in the fleet file: put it in an environment variable and name that variable with ${name}Env`,
        );
      } else rest[name] = v;
    }
    this.unknownFields(rest, path, WEBHOOK_FIELDS, "webhook fields");
    const format = fields.format ?? "json";
    const known = typeof format === "string" && (WEBHOOK_FORMATS as readonly string[]).includes(format);
    if (!known) {
      this.fail([...path, "format"], `must be one of ${WEBHOOK_FORMATS.join(", ")} (got ${JSON.stringify(format)})`);
    }
    const receiver = known ? RECEIVERS[format as Format] : null;
    const spec: WebhookSpec = { format: String(format), labels: [] };
    if (fields.url !== undefined && fields.urlEnv !== undefined) {
      this.fail([...path, "urlEnv"], "give url or urlEnv, not both");
    } else if (fields.url === undefined && fields.urlEnv === undefined && receiver?.url === undefined) {
      this.fail(path, "needs url (or urlEnv: the environment variable holding a URL that is itself a secret)");
    }
    if (fields.url !== undefined) {
      const problem = urlProblem(fields.url);
      if (problem) this.fail([...path, "url"], problem);
      else spec.url = fields.url as string;
    }
    for (const name of ENV_FIELDS) {
      const v = fields[name];
      if (v === undefined) continue;
      if (typeof v !== "string" || !ENV_NAME_PATTERN.test(v)) {
        this.fail(
          [...path, name],
          `must name an environment variable, e.g. CHAT_WEBHOOK_SECRET (got ${JSON.stringify(v)})`,
        );
      } else spec[name] = v;
    }
    if (receiver !== null) this.credentials(fields, path, format as Format, spec);
    if (fields.labels !== undefined) {
      const problem = labelsProblem(fields.labels);
      if (problem) this.fail([...path, "labels"], problem);
      else spec.labels = fields.labels as string[];
    }
    if (fields.states !== undefined) {
      const states = fields.states;
      const bad = Array.isArray(states) ? states.find((s) => !(STATES as readonly unknown[]).includes(s)) : states;
      if (!Array.isArray(states) || bad !== undefined) {
        this.fail([...path, "states"], `must be a list of states: ${STATES.join(", ")} (got ${JSON.stringify(bad)})`);
      } else spec.states = states as string[];
    }
    return spec;
  }

  /** The format's credentials (protocol/webhooks.ts says which): secret ones by variable, the rest as written. */
  private credentials(fields: Record<string, Value>, path: string[], format: Format, spec: WebhookSpec): void {
    const needs = RECEIVERS[format].needs;
    for (const credential of CREDENTIALS) {
      const field = isSecretCredential(credential) ? envFieldOf(credential) : credential;
      const need = needs[credential];
      const given = fields[field];
      if (need === undefined) {
        if (given !== undefined) {
          this.fail([...path, field], `is only for format ${formatsTaking(credential).join(", ")}; remove it`);
        }
      } else if (given === undefined) {
        this.fail(
          path,
          isSecretCredential(credential)
            ? `format ${format} needs ${field}, the environment variable holding its ${credential}: ${need.what}`
            : `format ${format} needs ${field}: ${need.what}`,
        );
      } else if (!isSecretCredential(credential)) {
        // YAML reads an unquoted chat id as a number; the Worker takes it as the digits it was written with.
        const text = typeof given === "number" && Number.isSafeInteger(given) ? String(given) : given;
        if (typeof text !== "string" || !need.pattern.test(text)) {
          this.fail([...path, field], `format ${format} needs ${field}: ${need.what} (got ${JSON.stringify(given)})`);
        } else spec[credential] = text;
      }
    }
  }

  window(value: Value, path: string[]): Window {
    const fields = this.map(value, path, "window fields");
    this.unknownFields(fields, path, WINDOW_FIELDS, "window fields");
    for (const name of REQUIRED_WINDOW_FIELDS) {
      if (fields[name] === undefined) this.fail(path, `needs ${name} (a window has days, from, to and tz)`);
    }
    const window: Record<string, unknown> = {};
    for (const name of WINDOW_FIELDS) {
      if (fields[name] === undefined) continue;
      const problem = windowFieldProblem(name, fields[name]);
      if (problem) this.fail([...path, name], problem);
      else window[name] = fields[name];
    }
    return window as unknown as Window;
  }

  named<T>(
    value: Value,
    section: string,
    nameProblem: (name: string) => string | null,
    each: (v: Value, path: string[]) => T,
  ): Record<string, T> | null {
    if (value === undefined) return null;
    const out: Record<string, T> = {};
    for (const [name, v] of Object.entries(this.map(value, [section], section))) {
      const problem = nameProblem(name);
      if (problem) this.fail([section, name], problem);
      else out[name] = each(v, [section, name]);
    }
    return out;
  }
}

function urlProblem(value: unknown): string | null {
  if (typeof value !== "string") return `must be a URL (got ${JSON.stringify(value)})`;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:"
      ? null
      : "must start with https:// (http:// for a local receiver)";
  } catch {
    return `${JSON.stringify(value.slice(0, 80))} does not parse as a URL`;
  }
}

function hostNameProblem(id: string): string | null {
  const problem = hostIdProblem(id);
  return problem === null ? null : describeHostIdProblem(id, problem);
}

const patternProblem = (what: string, pattern: RegExp) => (name: string) =>
  pattern.test(name)
    ? null
    : `${what} name ${JSON.stringify(name)} is invalid: use 1-63 characters of a-z, 0-9, '_' or '-'`;

/** Parses and checks `text` (YAML or JSON); `path` is how errors name the file. */
export function readFleet(
  path: string,
  text: string,
): { ok: true; file: FleetFile } | { ok: false; errors: FileError[] } {
  const counter = new LineCounter();
  // YAML 1.2 core schema: `from: 22:00` stays a string, `on`/`yes` are not booleans.
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true, version: "1.2" });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        file: path,
        line: e.linePos?.[0].line ?? null,
        col: e.linePos?.[0].col ?? null,
        field: "",
        message: `not valid YAML/JSON: ${e.message.split("\n")[0]}`,
      })),
    };
  }
  const places = indexPlaces(doc.contents as Node | null, counter);
  const check = new Checker(path, places);
  const root = doc.toJS() as Value;
  if (root === null || root === undefined) {
    check.fail(
      [],
      "the file is empty; a fleet file has hosts, webhooks, maintenance and defaults (see seatwatch apply --help)",
    );
    return { ok: false, errors: check.errors };
  }
  const top = check.map(root, [], "sections");
  check.unknownFields(top, [], SECTIONS, "fleet file sections");
  const spec: FleetSpec = {
    defaults: check.policy(top.defaults, ["defaults"]),
    hosts: check.named(top.hosts, "hosts", hostNameProblem, (v, p) => check.policy(v, p)),
    webhooks: check.named(top.webhooks, "webhooks", patternProblem("webhook", WEBHOOK_NAME_PATTERN), (v, p) =>
      check.webhook(v, p),
    ),
    maintenance: check.named(top.maintenance, "maintenance", patternProblem("window", WINDOW_NAME_PATTERN), (v, p) =>
      check.window(v, p),
    ),
  };
  if (check.errors.length > 0) return { ok: false, errors: check.errors };
  return { ok: true, file: { path, spec, place: (p) => check.place(p) } };
}
