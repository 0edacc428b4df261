/**
 * Every route the Worker serves, as `GET /openapi.json` describes it: who may call it, what it
 * takes and every answer with the error codes it can give. test/worker/openapi.test.ts walks the
 * Hono app, so a route served but missing here (or listed here but not served) fails.
 */
import type { ErrorCode } from "../../../protocol/answers.ts";
import type { JsonSchema } from "../../../protocol/json-schema.ts";
import { MAX_BEAT_BYTES } from "../../../protocol/limits.ts";
import { UPTIME_PERIODS } from "../uptime-face.ts";

/** Who may call: the admin token; the read token (when set); badges (public unless PUBLIC_BADGES=false); a signed body; anyone. */
export type Access = "admin" | "read" | "badge" | "signed" | "public";

/** A JSON body by component name, or another media type (a string body). */
type Content = { json: string } | { type: string };

interface Answer {
  description: string;
  content?: Content[];
}

export interface RouteDoc {
  method: "get" | "put" | "patch" | "post" | "delete";
  /** OpenAPI's spelling: `/v1/hosts/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  access: Access;
  query?: { name: string; schema: JsonSchema; description: string; required?: boolean }[];
  /** A component name; admin bodies may be omitted (every field is optional). */
  body?: string;
  answers: Record<number, Answer>;
  /** The route's own errors; those of its access (auth, body, rate limit) are added by the document. */
  errors?: Partial<Record<number, ErrorCode[]>>;
}

const json = (component: string): Content[] => [{ json: component }];
const plain: Content[] = [{ type: "text/plain" }];
const HOST_ERRORS = { 400: ["invalid_host", "reserved_host"], 404: ["unknown_host"] } satisfies RouteDoc["errors"];
const CHECK_ANSWERS = {
  200: { description: "`ok: …`", content: plain },
  503: {
    description: "one line per problem: a host down or low, nothing watched, a stale monitor, undelivered alerts",
    content: plain,
  },
};
/** Routes served with an ETag answer 304 to a matching If-None-Match. */
const NOT_MODIFIED = { 304: { description: "unchanged since the ETag sent in If-None-Match" } };
const BADGE_QUERY = [
  {
    name: "style",
    schema: { enum: ["flat", "flat-square", "for-the-badge"] },
    description: "an unknown style draws flat",
  },
  { name: "label", schema: { type: "string" }, description: "the left-hand text" },
] satisfies RouteDoc["query"];

export const ROUTES: RouteDoc[] = [
  {
    method: "post",
    path: "/v1/beats",
    operationId: "postBeat",
    summary: `A signed beat from a beacon (at most ${MAX_BEAT_BYTES} bytes)`,
    access: "signed",
    body: "Beat",
    answers: {
      202: { description: "accepted, with the verdict and the policy the beacon needs", content: json("BeatAccepted") },
    },
    errors: {
      400: ["invalid_host", "invalid_beat"],
      409: ["replayed"],
      429: ["rate_limited"],
    },
  },
  {
    method: "post",
    path: "/v1/enroll",
    operationId: "enroll",
    summary: "Register a host's public key with its one-time token, signed with the new key",
    access: "signed",
    body: "EnrollRequest",
    answers: { 200: { description: "registered", content: json("EnrollAnswer") } },
    errors: {
      400: ["invalid_host", "invalid_request"],
      401: ["invalid_token"],
      409: ["token_used", "key_registered"],
    },
  },
  {
    method: "get",
    path: "/v1/hosts",
    operationId: "listHosts",
    summary: "Every host with its state and policy",
    access: "read",
    answers: {
      200: { description: "hosts in id order", content: [{ json: "HostList" }] },
    },
  },
  {
    method: "patch",
    path: "/v1/hosts",
    operationId: "patchLabel",
    summary: "The same policy change for every host carrying a label (e.g. a maintenance pause)",
    access: "admin",
    query: [{ name: "label", schema: { type: "string" }, description: "the label the hosts carry", required: true }],
    body: "PolicyPatch",
    answers: { 200: { description: "the hosts changed", content: json("LabelPatch") } },
    errors: { 400: ["invalid_request", "invalid_policy"], 404: ["unknown_label"] },
  },
  {
    method: "get",
    path: "/v1/hosts/{id}",
    operationId: "getHost",
    summary: "A host's detail: policy, last beat, servers, warnings, seat history",
    access: "read",
    answers: { 200: { description: "the host", content: json("HostDetail") } },
    errors: HOST_ERRORS,
  },
  {
    method: "put",
    path: "/v1/hosts/{id}",
    operationId: "putHost",
    summary: "Create a host or replace its policy (omitted fields return to their defaults)",
    access: "admin",
    body: "HostChange",
    answers: {
      200: { description: "replaced", content: json("HostDetail") },
      201: { description: "created", content: json("HostDetail") },
    },
    errors: { 400: ["invalid_host", "reserved_host", "invalid_policy"] },
  },
  {
    method: "patch",
    path: "/v1/hosts/{id}",
    operationId: "patchHost",
    summary: "Change only the policy fields given",
    access: "admin",
    body: "HostChange",
    answers: { 200: { description: "changed", content: json("HostDetail") } },
    errors: { ...HOST_ERRORS, 400: [...HOST_ERRORS[400], "invalid_policy"] },
  },
  {
    method: "delete",
    path: "/v1/hosts/{id}",
    operationId: "deleteHost",
    summary: "Remove a host; its beats are ignored from then on",
    access: "admin",
    answers: { 204: { description: "removed" } },
    errors: HOST_ERRORS,
  },
  {
    method: "post",
    path: "/v1/hosts/{id}/enrollment",
    operationId: "issueEnrollmentToken",
    summary: "A one-time, expiring enrollment token (creates the host with the default policy if needed)",
    access: "admin",
    body: "TokenRequest",
    answers: { 201: { description: "the token, shown once", content: json("Token") } },
    errors: { 400: ["invalid_host", "reserved_host", "invalid_request"] },
  },
  {
    method: "get",
    path: "/v1/hosts/{id}/events",
    operationId: "hostEvents",
    summary: "A host's transitions and its uptime over 24 h, 7 d and 30 d",
    access: "read",
    answers: { 200: { description: "events, newest first", content: json("HostEvents") } },
    errors: HOST_ERRORS,
  },
  {
    method: "get",
    path: "/v1/hosts/{id}/check",
    operationId: "hostCheck",
    summary: "200 or 503 for one host, for uptime checkers",
    access: "read",
    answers: CHECK_ANSWERS,
    errors: HOST_ERRORS,
  },
  {
    method: "get",
    path: "/v1/status",
    operationId: "status",
    summary: "The fleet: the monitor, counts per state and every host",
    access: "read",
    query: [
      {
        name: "format",
        schema: { enum: ["json", "text"] },
        description: "text: an aligned table (as does Accept: text/plain)",
      },
    ],
    answers: {
      200: { description: "the status document", content: [{ json: "StatusDocument" }, { type: "text/plain" }] },
    },
  },
  {
    method: "get",
    path: "/v1/check",
    operationId: "check",
    summary: "200 or 503 for the whole fleet, for uptime checkers",
    access: "read",
    answers: CHECK_ANSWERS,
  },
  {
    method: "get",
    path: "/v1/webhooks",
    operationId: "listWebhooks",
    summary: "Alert webhooks (secrets redacted) with their undelivered alerts",
    access: "admin",
    answers: { 200: { description: "every webhook", content: json("WebhookList") } },
  },
  {
    method: "put",
    path: "/v1/webhooks/{name}",
    operationId: "putWebhook",
    summary: "Create or replace an alert webhook",
    access: "admin",
    body: "WebhookInput",
    answers: {
      200: { description: "replaced", content: json("Webhook") },
      201: { description: "created; carries the generated secret once", content: json("Webhook") },
    },
    errors: { 400: ["invalid_webhook"] },
  },
  {
    method: "delete",
    path: "/v1/webhooks/{name}",
    operationId: "deleteWebhook",
    summary: "Remove an alert webhook",
    access: "admin",
    answers: { 204: { description: "removed" } },
    errors: { 400: ["invalid_webhook"], 404: ["unknown_webhook"] },
  },
  {
    method: "post",
    path: "/v1/webhooks/{name}/test",
    operationId: "testWebhook",
    summary: "Send a test alert now",
    access: "admin",
    answers: { 200: { description: "the receiver answered 2xx", content: json("WebhookTested") } },
    errors: { 400: ["invalid_webhook"], 404: ["unknown_webhook"], 502: ["delivery_failed"] },
  },
  {
    method: "get",
    path: "/v1/maintenance",
    operationId: "listMaintenance",
    summary: "Maintenance windows, each with whether it is on now and when it ends or next starts",
    access: "admin",
    answers: { 200: { description: "every window", content: json("MaintenanceList") } },
  },
  {
    method: "get",
    path: "/v1/maintenance/{name}",
    operationId: "getMaintenance",
    summary: "One maintenance window",
    access: "admin",
    answers: { 200: { description: "the window", content: json("Maintenance") } },
    errors: { 400: ["invalid_window"], 404: ["unknown_window"] },
  },
  {
    method: "put",
    path: "/v1/maintenance/{name}",
    operationId: "putMaintenance",
    summary: "Create or replace a maintenance window: matching hosts are paused inside it",
    access: "admin",
    body: "MaintenanceInput",
    answers: {
      200: { description: "replaced", content: json("Maintenance") },
      201: { description: "created", content: json("Maintenance") },
    },
    errors: { 400: ["invalid_window"] },
  },
  {
    method: "delete",
    path: "/v1/maintenance/{name}",
    operationId: "deleteMaintenance",
    summary: "Remove a maintenance window",
    access: "admin",
    answers: { 204: { description: "removed" } },
    errors: { 400: ["invalid_window"], 404: ["unknown_window"] },
  },
  {
    method: "get",
    path: "/badge/{file}",
    operationId: "badge",
    summary: "`<host>.svg`, `<host>.json` (shields.io endpoint) or `fleet.svg`",
    access: "badge",
    query: BADGE_QUERY,
    answers: {
      ...NOT_MODIFIED,
      200: { description: "the badge", content: [{ type: "image/svg+xml" }, { json: "ShieldsBadge" }] },
      404: {
        description: "an unknown host: a grey `unknown` badge; a file name that is no badge: not_found",
        content: [{ type: "image/svg+xml" }, { json: "ShieldsBadge" }],
      },
    },
  },
  {
    method: "get",
    path: "/badge/{id}/{file}",
    operationId: "uptimeBadge",
    summary: "`uptime.svg` or `uptime.json`: the host's uptime over a period",
    access: "badge",
    query: [
      ...BADGE_QUERY,
      { name: "period", schema: { enum: UPTIME_PERIODS, default: "30d" }, description: "the window" },
    ],
    answers: {
      ...NOT_MODIFIED,
      200: { description: "the badge", content: [{ type: "image/svg+xml" }, { json: "ShieldsBadge" }] },
      404: {
        description: "an unknown host: a grey `unknown` badge; a file name that is no badge: not_found",
        content: [{ type: "image/svg+xml" }, { json: "ShieldsBadge" }],
      },
    },
    errors: { 400: ["invalid_request"] },
  },
  {
    method: "get",
    path: "/metrics",
    operationId: "metrics",
    summary: "Prometheus text exposition",
    access: "read",
    answers: { 200: { description: "gauges per host and for the monitor", content: [{ type: "text/plain" }] } },
  },
  {
    method: "get",
    path: "/",
    operationId: "dashboard",
    summary: "The HTML dashboard",
    access: "read",
    query: [{ name: "refresh", schema: { type: "integer" }, description: "seconds between refreshes (5-3600)" }],
    answers: { 200: { description: "the page", content: [{ type: "text/html" }] } },
  },
  {
    method: "get",
    path: "/hosts/{id}",
    operationId: "hostPage",
    summary: "The host's HTML page: state, seats, history, uptime, transitions",
    access: "read",
    query: [{ name: "refresh", schema: { type: "integer" }, description: "seconds between refreshes" }],
    answers: {
      200: { description: "the page", content: [{ type: "text/html" }] },
      404: { description: "no such host: a page saying so", content: [{ type: "text/html" }] },
    },
  },
  ...(
    [
      ["/dashboard.css", "dashboardCss", "text/css"],
      ["/host.css", "hostCss", "text/css"],
      ["/dashboard.js", "dashboardJs", "text/javascript"],
      ["/favicon.svg", "favicon", "image/svg+xml"],
    ] as const
  ).map(
    ([path, operationId, type]): RouteDoc => ({
      method: "get",
      path,
      operationId,
      summary: "A static asset of the dashboard",
      access: "public",
      answers: { 200: { description: "the asset", content: [{ type }] }, ...NOT_MODIFIED },
    }),
  ),
  {
    method: "get",
    path: "/openapi.json",
    operationId: "openapi",
    summary: "This document",
    access: "public",
    answers: { 200: { description: "OpenAPI 3.1", content: json("OpenApiDocument") }, ...NOT_MODIFIED },
  },
];
