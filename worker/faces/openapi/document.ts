/**
 * `GET /openapi.json` (DESIGN §5): the OpenAPI 3.1 document, assembled from ROUTES and the
 * component schemas. Built once per isolate: everything in it is fixed when the Worker is.
 */
import { version } from "../../../package.json";
import type { ErrorCode } from "../../../protocol/answers.ts";
import { HOST_ID_SCHEMA } from "../../../protocol/host.ts";
import type { JsonSchema } from "../../../protocol/json-schema.ts";
import { MAX_SIGNATURES, TIMESTAMP_TOLERANCE_SECONDS } from "../../../protocol/limits.ts";
import { WEBHOOK_NAME_PATTERN } from "../../alerts/webhooks.ts";
import { type Access, ROUTES, type RouteDoc } from "./routes.ts";
import { COMPONENTS, ref } from "./schemas.ts";

/** Errors every route of an access kind can give, before its own. */
const ACCESS_ERRORS: Record<Access, Partial<Record<number, ErrorCode[]>>> = {
  admin: { 401: ["admin_disabled", "unauthorized"] },
  read: { 401: ["unauthorized"] },
  badge: { 401: ["unauthorized"], 404: ["not_found"] },
  signed: {
    401: ["missing_signature", "malformed_signature", "invalid_signature", "stale_timestamp"],
    413: ["payload_too_large"],
    415: ["unsupported_media_type"],
    429: ["rate_limited"],
  },
  public: {},
};

/** Errors of reading a body: JSON, size (and for signed bodies the content type, in ACCESS_ERRORS). */
const BODY_ERRORS: Partial<Record<number, ErrorCode[]>> = { 400: ["invalid_json"], 413: ["payload_too_large"] };

const SECURITY: Record<Access, Record<string, string[]>[]> = {
  admin: [{ admin: [] }],
  // `{}`: no credentials needed while READ_TOKEN is unset (the local default).
  read: [{ readBearer: [] }, { readBasic: [] }, {}],
  badge: [{ readBearer: [] }, { readBasic: [] }, {}],
  signed: [],
  public: [],
};

const PATH_PARAMS: Record<string, { schema: JsonSchema; description: string }> = {
  id: { schema: HOST_ID_SCHEMA, description: "the host id" },
  name: {
    schema: { type: "string", pattern: WEBHOOK_NAME_PATTERN.source },
    description: "the webhook's or the maintenance window's name",
  },
  file: {
    schema: { type: "string", pattern: "^.+\\.(svg|json)$" },
    description: "`<host>.svg`, `<host>.json` or `fleet.svg`; under /badge/{id}/, `uptime.svg` or `uptime.json`",
  },
};

const SIGNATURE_HEADERS = [
  ["webhook-id", "unique per request (Standard Webhooks)"],
  ["webhook-timestamp", `unix seconds; within ±${TIMESTAMP_TOLERANCE_SECONDS} s of the Worker's clock`],
  [
    "webhook-signature",
    `\`v1a,<base64 Ed25519 signature>\` over \`<webhook-id>.<webhook-timestamp>.<body>\`, up to ${MAX_SIGNATURES} space-separated`,
  ],
] as const;

function merge(...tables: Partial<Record<number, ErrorCode[]>>[]): Map<number, ErrorCode[]> {
  const merged = new Map<number, ErrorCode[]>();
  for (const table of tables) {
    for (const [status, codes] of Object.entries(table)) {
      const known = merged.get(Number(status)) ?? [];
      merged.set(Number(status), [...new Set([...known, ...(codes ?? [])])]);
    }
  }
  return merged;
}

/** The error shape with `code` narrowed to what this route can answer with this status. */
function errorSchema(codes: ErrorCode[]): JsonSchema {
  return { allOf: [ref("Error"), { properties: { error: { properties: { code: { enum: codes } } } } }] };
}

interface Response {
  description: string;
  content?: Record<string, { schema: JsonSchema }>;
}

function response(answer: RouteDoc["answers"][number]): Response {
  if (!answer.content) return { description: answer.description };
  const content = answer.content.map((c) =>
    "json" in c ? ["application/json", { schema: ref(c.json) }] : [c.type, { schema: { type: "string" } }],
  );
  return { description: answer.description, content: Object.fromEntries(content) };
}

/** OpenAPI keys answers by status, so an error sharing one with a JSON answer (a badge's 404) is one of two schemas. */
function withErrors(given: Response | undefined, codes: ErrorCode[]): Response {
  const json = given?.content?.["application/json"]?.schema;
  const schema = json ? { anyOf: [json, errorSchema(codes)] } : errorSchema(codes);
  return {
    description: given ? `${given.description}; or an error: ${codes.join(", ")}` : codes.join(", "),
    content: { ...given?.content, "application/json": { schema } },
  };
}

function operation(route: RouteDoc) {
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name = ""]) => ({
    name,
    in: "path",
    required: true,
    ...PATH_PARAMS[name],
  }));
  const query = (route.query ?? []).map((q) => ({ in: "query", required: false, ...q }));
  const headers =
    route.access === "signed"
      ? SIGNATURE_HEADERS.map(([name, description]) => ({
          name,
          in: "header",
          required: true,
          description,
          schema: { type: "string" },
        }))
      : [];
  const responses: Record<string, Response> = {};
  for (const [status, answer] of Object.entries(route.answers)) responses[status] = response(answer);
  const errors = merge(ACCESS_ERRORS[route.access], route.body ? BODY_ERRORS : {}, route.errors ?? {}, {
    500: ["internal_error"],
  });
  for (const [status, codes] of [...errors].sort(([a], [b]) => a - b)) {
    responses[status] = withErrors(responses[status], codes);
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    security: SECURITY[route.access],
    ...(params.length + query.length + headers.length > 0 ? { parameters: [...params, ...query, ...headers] } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: route.access === "signed",
            content: { "application/json": { schema: ref(route.body) } },
          },
        }
      : {}),
    responses,
  };
}

function build() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) paths[route.path] = { ...paths[route.path], [route.method]: operation(route) };
  return {
    openapi: "3.1.0",
    info: {
      title: "seatwatch",
      version,
      description:
        "Health means observed work: beacons push signed seat counts, the Worker judges them and alerts. Errors are `{error: {code, message}}`; times are ISO 8601.",
      license: { name: "MIT", identifier: "MIT" },
    },
    paths,
    components: {
      schemas: COMPONENTS,
      securitySchemes: {
        admin: { type: "http", scheme: "bearer", description: "ADMIN_TOKEN (wrangler secret put ADMIN_TOKEN)" },
        readBearer: { type: "http", scheme: "bearer", description: "READ_TOKEN, when set" },
        readBasic: { type: "http", scheme: "basic", description: "any user name, READ_TOKEN as the password" },
      },
    },
  };
}

let built: string | undefined;

/** The document as served, serialised once. */
export function openApiText(): string {
  built ??= JSON.stringify(build());
  return built;
}
