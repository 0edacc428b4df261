/**
 * Alert webhooks (DESIGN §5): what an admin may configure, validated in full before the ledger
 * stores anything, and how a webhook is shown back (secrets and the secret parts of URLs redacted).
 */
import { type JsonSchema, matching } from "../../protocol/json-schema.ts";
import { decodeSecret, SECRET_SCHEMA } from "../../protocol/keys.ts";
import { LABEL_PATTERN, MAX_LABELS } from "../../protocol/policy.ts";
import type { FieldError, Validation } from "../../protocol/validation.ts";
import { ApiError } from "../http/errors.ts";
import { PAGERDUTY_EVENTS_URL } from "./formats/pagerduty.ts";

export const FORMATS = ["json", "slack", "discord", "pagerduty", "ntfy"] as const;
export type Format = (typeof FORMATS)[number];

export const WEBHOOK_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** Long enough for any real receiver URL (Slack, Discord, PagerDuty, ntfy), short enough to bound storage. */
const MAX_URL_LENGTH = 2048;

export interface Webhook {
  name: string;
  url: string;
  format: Format;
  secret: string;
  /** Empty: every host. Otherwise hosts carrying at least one of these labels. */
  labels: string[];
  /** PagerDuty's Events API v2 integration key (format `pagerduty` only); redacted in listings. */
  routingKey?: string;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookInput {
  url: string;
  format: Format;
  /** Absent: keep the existing secret, or generate one on creation. */
  secret?: string;
  labels: string[];
  routingKey?: string;
}

/** PagerDuty integration keys are 32 characters; allow some slack for other key shapes, never spaces or quotes. */
const ROUTING_KEY_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * A `PUT /v1/webhooks/:name` body as `GET /openapi.json` shows it. Its properties are the fields
 * the validator accepts, so a field added here is documented and accepted at once. Not expressed
 * in the schema, but told in the descriptions: `http://` only for local receivers.
 */
export const WEBHOOK_INPUT_SCHEMA = {
  type: "object",
  properties: {
    url: {
      type: "string",
      maxLength: MAX_URL_LENGTH,
      format: "uri",
      pattern: "^[Hh][Tt][Tt][Pp][Ss]?://",
      description:
        "https://, or http:// for a local receiver (localhost, 127/8, ::1, 10/8, 172.16/12, 192.168/16, *.local); default for pagerduty: its Events API",
    },
    format: { enum: FORMATS, default: "json" },
    secret: SECRET_SCHEMA,
    labels: {
      type: "array",
      items: matching(LABEL_PATTERN),
      maxItems: MAX_LABELS,
      description: "hosts carrying at least one of these labels; empty means every host",
    },
    routingKey: {
      ...matching(ROUTING_KEY_PATTERN),
      description: "format pagerduty only: the Integration Key of an Events API v2 integration",
    },
  },
  additionalProperties: false,
  anyOf: [
    { properties: { format: { const: "pagerduty" } }, required: ["format", "routingKey"] },
    { properties: { format: { not: { const: "pagerduty" } } }, required: ["url"], not: { required: ["routingKey"] } },
  ],
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
  // PagerDuty has one Events API address; its integration key says where the event goes.
  const url = body.url ?? (format === "pagerduty" ? PAGERDUTY_EVENTS_URL : undefined);
  const urlError = urlProblem(url);
  if (urlError) errors.push({ field: "url", message: urlError });
  if (typeof format !== "string" || !(FORMATS as readonly string[]).includes(format)) {
    errors.push({
      field: "format",
      message: `format must be one of ${FORMATS.join(", ")} (got ${JSON.stringify(format)})`,
    });
  }
  if (body.secret !== undefined && (typeof body.secret !== "string" || !decodeSecret(body.secret))) {
    errors.push({
      field: "secret",
      message: "secret must be whsec_ followed by base64 of 16-64 random bytes; omit it and one is generated for you",
    });
  }
  if (format === "pagerduty" && (typeof body.routingKey !== "string" || !ROUTING_KEY_PATTERN.test(body.routingKey))) {
    errors.push({
      field: "routingKey",
      message:
        "format pagerduty needs routingKey: the Integration Key of an Events API v2 integration on the PagerDuty service (Service → Integrations)",
    });
  }
  if (format !== "pagerduty" && body.routingKey !== undefined) {
    errors.push({ field: "routingKey", message: 'routingKey is only for format "pagerduty"; remove it' });
  }
  const labels = body.labels ?? [];
  if (
    !Array.isArray(labels) ||
    labels.length > MAX_LABELS ||
    labels.some((l) => typeof l !== "string" || !LABEL_PATTERN.test(l))
  ) {
    errors.push({
      field: "labels",
      message: `labels must be an array of at most ${MAX_LABELS} host labels ([a-z0-9_-]{1,32}); empty means every host`,
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  const input: WebhookInput = { url: url as string, format: format as Format, labels: labels as string[] };
  if (body.secret !== undefined) input.secret = body.secret as string;
  if (format === "pagerduty") input.routingKey = body.routingKey as string;
  return { ok: true, value: input };
}

/** A webhook with no labels hears every host; otherwise hosts sharing at least one label. */
export function matches(hook: Pick<Webhook, "labels">, hostLabels: readonly string[]): boolean {
  return hook.labels.length === 0 || hook.labels.some((l) => hostLabels.includes(l));
}

/**
 * Path segments that are structure, not credentials, in the receivers people use (Slack
 * `/services/…`, Discord `/api/webhooks/…`, PagerDuty `/v2/enqueue`). Everything else in a path —
 * tokens, ids, ntfy topics (which act as passwords) — is hidden, as are query values and userinfo.
 */
const STRUCTURAL_SEGMENTS = new Set(["api", "services", "hooks", "webhooks", "webhook", "hook", "v1", "v2", "enqueue"]);
const HIDDEN = "***";
export const REDACTED = HIDDEN;

export function redactUrl(raw: string): string {
  const url = new URL(raw);
  const auth = url.username || url.password ? `${HIDDEN}@` : "";
  const path = url.pathname
    .split("/")
    .map((segment) => (segment === "" || STRUCTURAL_SEGMENTS.has(segment) ? segment : HIDDEN))
    .join("/");
  const query = [...url.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=${HIDDEN}`).join("&");
  return `${url.protocol}//${auth}${url.host}${path}${query ? `?${query}` : ""}`;
}

/** What listings show instead of a secret: it is returned once, when generated, and never again. */
export const REDACTED_SECRET = `whsec_${HIDDEN}`;
