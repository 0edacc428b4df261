/**
 * Alert webhooks (DESIGN §5): what an admin may configure, validated in full before the ledger
 * stores anything, and how a webhook is shown back (secrets and the secret parts of URLs redacted).
 */
import { integer, type JsonSchema, matching } from "../../protocol/json-schema.ts";
import { decodeSecret, SECRET_SCHEMA } from "../../protocol/keys.ts";
import { isLabelList, LABEL_PATTERN, MAX_LABELS } from "../../protocol/policy.ts";
import type { FieldError, Validation } from "../../protocol/validation.ts";
import { STATES, type State } from "../../protocol/verdict.ts";
import {
  CREDENTIALS,
  type Credential,
  FORMATS,
  type Format,
  formatsTaking,
  isSecretCredential,
  RECEIVERS,
  WEBHOOK_NAME_PATTERN,
} from "../../protocol/webhooks.ts";
import { ApiError } from "../http/errors.ts";

export { FORMATS, type Format, WEBHOOK_NAME_PATTERN } from "../../protocol/webhooks.ts";

/** Long enough for any real receiver URL (Slack, Discord, PagerDuty, ntfy), short enough to bound storage. */
const MAX_URL_LENGTH = 2048;

export interface Webhook {
  name: string;
  url: string;
  format: Format;
  secret: string;
  /** Empty: every host. Otherwise hosts carrying at least one of these labels. */
  labels: string[];
  /** The states it hears (DESIGN §6 routing); null: every state. */
  states: State[] | null;
  /** PagerDuty's Events API v2 integration key (format `pagerduty` only); redacted in listings. */
  routingKey?: string;
  /** Telegram's chat (format `telegram` only). */
  chatId?: string;
  /** Opsgenie's GenieKey, Gotify's app token, Matrix's access token, Pushover's app token; redacted. */
  token?: string;
  /** Pushover's user or group key; redacted. */
  user?: string;
  createdAt: number;
  updatedAt: number;
}

export type WebhookInput = Omit<Webhook, "name" | "secret" | "createdAt" | "updatedAt"> & {
  /** Absent: keep the existing secret, or generate one on creation. */
  secret?: string;
};

const SAFE_INTEGER: JsonSchema = integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

/** The formats that take a credential, and what each says it is (their validation messages). */
function credentialSchema(field: Credential): JsonSchema {
  const secret = isSecretCredential(field) ? "; shown as *** in listings" : "";
  const base: JsonSchema = { type: "string", description: `format ${formatsTaking(field).join(", ")} only${secret}` };
  // A Telegram chat id may be given as a JSON number (at most 52 bits, Telegram says); it is stored as its decimal text.
  return field === "chatId" ? { anyOf: [base, SAFE_INTEGER] } : base;
}

/**
 * Per format: the credentials it needs (each to its pattern), the ones it refuses, and `url` when
 * the platform has no fixed endpoint. Absent `format` is `json`, which the first `if` matches.
 */
function formatRules(): JsonSchema[] {
  return FORMATS.map((format) => {
    const receiver = RECEIVERS[format];
    const needed = CREDENTIALS.filter((field) => receiver.needs[field] !== undefined);
    const refused = CREDENTIALS.filter((field) => receiver.needs[field] === undefined);
    const properties: Record<string, JsonSchema> = {};
    for (const field of needed) {
      const pattern = receiver.needs[field]?.pattern ?? /./;
      properties[field] = field === "chatId" ? { anyOf: [matching(pattern), SAFE_INTEGER] } : matching(pattern);
    }
    const then: JsonSchema = { required: [...needed, ...(receiver.url ? [] : ["url"])], properties };
    if (refused.length > 0) then.not = { anyOf: refused.map((field) => ({ required: [field] })) };
    const when: JsonSchema = { properties: { format: { const: format } } };
    if (format !== "json") when.required = ["format"];
    return { if: when, then };
  });
}

/**
 * A `PUT /v1/webhooks/:name` body as `GET /openapi.json` shows it, built from RECEIVERS (the
 * table the validator checks with), so a format or field added there is documented at once. Not
 * expressed in the schema, but told in the descriptions: `http://` only for local receivers.
 */
export const WEBHOOK_INPUT_SCHEMA = {
  type: "object",
  properties: {
    url: {
      type: "string",
      maxLength: MAX_URL_LENGTH,
      format: "uri",
      pattern: "^[Hh][Tt][Tt][Pp][Ss]?://",
      description: `https://, or http:// for a local receiver (localhost, 127/8, ::1, 10/8, 172.16/12, 192.168/16, *.local); defaults: ${FORMATS.filter(
        (f) => RECEIVERS[f].url,
      )
        .map((f) => `${f} ${RECEIVERS[f].url}`)
        .join(", ")}`,
    },
    format: { enum: FORMATS, default: "json" },
    secret: SECRET_SCHEMA,
    labels: {
      type: "array",
      items: matching(LABEL_PATTERN),
      maxItems: MAX_LABELS,
      description: "hosts carrying at least one of these labels; empty means every host",
    },
    states: {
      type: ["array", "null"],
      items: { enum: STATES },
      minItems: 1,
      description:
        "the states this webhook hears (a recovery reaches every webhook that heard the state it ends); absent or null: every state",
    },
    routingKey: credentialSchema("routingKey"),
    chatId: credentialSchema("chatId"),
    token: credentialSchema("token"),
    user: credentialSchema("user"),
  },
  additionalProperties: false,
  allOf: formatRules(),
} satisfies JsonSchema & { properties: Record<keyof WebhookInput, JsonSchema> };

const FIELDS = Object.keys(WEBHOOK_INPUT_SCHEMA.properties);

export function checkWebhookName(name: string): void {
  if (!WEBHOOK_NAME_PATTERN.test(name)) {
    throw new ApiError(
      400,
      "invalid_webhook",
      `webhook name ${JSON.stringify(name.slice(0, 80))} is invalid: use 1-63 characters of a-z, 0-9, '_' or '-', starting with a letter or digit`,
    );
  }
}

function urlProblem(value: unknown): string | null {
  if (typeof value !== "string" || value.length > MAX_URL_LENGTH) {
    return `url must be a string of at most ${MAX_URL_LENGTH} characters`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `url ${JSON.stringify(value.slice(0, 80))} does not parse as a URL`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return `url must start with https:// (or http:// for a local receiver); got ${url.protocol}//`;
  }
  if (url.protocol === "http:" && !isLocalHost(url.hostname)) {
    return `http:// is only for local receivers (localhost, 127.0.0.0/8, ::1, 10/8, 172.16/12, 192.168/16, *.local); use https:// for ${url.hostname}, alerts carry host names and reasons`;
  }
  return null;
}

/** Loopback and private addresses: where a plain-http receiver does not cross the internet in clear text. */
function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host === "::1") return true;
  const octets = host.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return false;
  const [a, b] = octets as [number, number, number, number];
  return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

export function validateWebhookInput(body: Record<string, unknown>): Validation<WebhookInput> {
  const errors: FieldError[] = [];
  for (const key of Object.keys(body)) {
    if (!FIELDS.includes(key)) {
      errors.push({
        field: key,
        message: `unknown field ${JSON.stringify(key)}; webhook fields are ${FIELDS.join(", ")}`,
      });
    }
  }
  const format = body.format ?? "json";
  const known = typeof format === "string" && (FORMATS as readonly string[]).includes(format);
  if (!known) {
    errors.push({
      field: "format",
      message: `format must be one of ${FORMATS.join(", ")} (got ${JSON.stringify(format)})`,
    });
  }
  const receiver = known ? RECEIVERS[format as Format] : { needs: {} };
  // A platform with one fixed endpoint needs no url; its credentials say where the alert goes.
  const url = body.url ?? receiver.url;
  const urlError = urlProblem(url);
  if (urlError) errors.push({ field: "url", message: urlError });
  if (body.secret !== undefined && (typeof body.secret !== "string" || !decodeSecret(body.secret))) {
    errors.push({
      field: "secret",
      message: "secret must be whsec_ followed by base64 of 16-64 random bytes; omit it and one is generated for you",
    });
  }
  const credentials: Partial<Record<Credential, string>> = {};
  for (const field of CREDENTIALS) {
    const need = receiver.needs[field];
    const value = field === "chatId" && Number.isSafeInteger(body[field]) ? String(body[field]) : body[field];
    if (need === undefined) {
      if (known && value !== undefined) {
        errors.push({ field, message: `${field} is only for format ${formatsTaking(field).join(", ")}; remove it` });
      }
    } else if (typeof value !== "string" || !need.pattern.test(value)) {
      errors.push({ field, message: `format ${format} needs ${field}: ${need.what}` });
    } else credentials[field] = value;
  }
  const states = statesOf(body.states);
  if (states === undefined) {
    errors.push({
      field: "states",
      message: `states must be a non-empty array of ${STATES.join(", ")} (the states this webhook hears); omit it to hear every state`,
    });
  }
  const labels = body.labels ?? [];
  if (!isLabelList(labels)) {
    errors.push({
      field: "labels",
      message: `labels must be an array of at most ${MAX_LABELS} host labels ([a-z0-9_-]{1,32}); empty means every host`,
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  const input: WebhookInput = {
    url: url as string,
    format: format as Format,
    labels: labels as string[],
    states: states ?? null,
    ...credentials,
  };
  if (body.secret !== undefined) input.secret = body.secret as string;
  return { ok: true, value: input };
}

/** A webhook with no labels hears every host; otherwise hosts sharing at least one label. */
export function matches(hook: Pick<Webhook, "labels">, hostLabels: readonly string[]): boolean {
  return hook.labels.length === 0 || hook.labels.some((l) => hostLabels.includes(l));
}

/** null: absent (every state); undefined: not a non-empty list of known states. In the operator's order, deduplicated. */
function statesOf(value: unknown): State[] | null | undefined {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (value.some((s) => !(STATES as readonly unknown[]).includes(s))) return undefined;
  return [...new Set(value as State[])];
}

/** The credentials a listing shows: chat ids as they are, keys and tokens as `***`. */
export function shownCredentials(hook: Webhook): Partial<Record<Credential, string>> {
  const shown: Partial<Record<Credential, string>> = {};
  for (const field of CREDENTIALS) {
    const value = hook[field];
    if (value !== undefined) shown[field] = isSecretCredential(field) ? HIDDEN : value;
  }
  return shown;
}

/**
 * Path segments that are structure, not credentials, in the receivers people use (Slack
 * `/services/…`, Discord `/api/webhooks/…`, PagerDuty `/v2/enqueue`). Everything else in a path —
 * tokens, ids, ntfy topics (which act as passwords) — is hidden, as are query values and userinfo.
 */
const STRUCTURAL_SEGMENTS = new Set([
  ...["api", "services", "hooks", "webhooks", "webhook", "hook", "v1", "v2", "v3", "enqueue"],
  // Telegram, Opsgenie, Pushover, Gotify, Matrix and Teams Workflows endpoints.
  ...["sendMessage", "alerts", "1", "messages.json", "message", "_matrix", "client", "rooms", "send"],
  ...["m.room.message", "workflows", "triggers", "manual", "paths", "invoke"],
]);
/** Telegram's method URL carries the bot token in `bot<token>`: the prefix is structure, the rest a secret. */
const TELEGRAM_BOT_SEGMENT = /^bot\d+:/;
const HIDDEN = "***";

export function redactUrl(raw: string): string {
  const url = new URL(raw);
  const auth = url.username || url.password ? `${HIDDEN}@` : "";
  const path = url.pathname
    .split("/")
    .map((segment) => {
      if (segment === "" || STRUCTURAL_SEGMENTS.has(segment)) return segment;
      return TELEGRAM_BOT_SEGMENT.test(segment) ? `bot${HIDDEN}` : HIDDEN;
    })
    .join("/");
  const query = [...url.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=${HIDDEN}`).join("&");
  return `${url.protocol}//${auth}${url.host}${path}${query ? `?${query}` : ""}`;
}

/** What listings show instead of a secret: it is returned once, when generated, and never again. */
export const REDACTED_SECRET = `whsec_${HIDDEN}`;
