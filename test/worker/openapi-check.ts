/**
 * Checks a real answer of the Worker against `GET /openapi.json`: the route, method and status are
 * documented, the body validates against the documented schema (ajv, JSON Schema 2020-12), an
 * error's code is one the document lists for that route and status, and a JSON answer carries no
 * field the document does not name. helpers.ts runs it on every answer the worker tests receive.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { openApiText } from "../../worker/faces/openapi/document.ts";

type Json = Record<string, unknown>;

export const DOC = JSON.parse(openApiText()) as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Json }> }> }>>;
  components: { schemas: Record<string, Json> };
};

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(DOC, "openapi.json");

const compiled = new Map<string, ValidateFunction>();

function pointer(...segments: string[]): string {
  return `openapi.json#/${segments.map((s) => encodeURIComponent(s.replace(/~/g, "~0").replace(/\//g, "~1"))).join("/")}`;
}

function validator(...segments: string[]): ValidateFunction {
  const key = pointer(...segments);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.getSchema(key);
    if (!validate) throw new Error(`no schema at ${key}`);
    compiled.set(key, validate);
  }
  return validate;
}

/** The documented path template a request path falls under; literal paths win over templates. */
export function documentedPath(path: string): string | null {
  const templates = Object.keys(DOC.paths).sort((a, b) => a.split("{").length - b.split("{").length);
  return (
    templates.find((t) => new RegExp(`^${t.replace(/[.]/g, "\\.").replace(/\{\w+\}/g, "[^/]+")}$`).test(path)) ?? null
  );
}

function resolve(schema: Json): Json {
  const target = schema.$ref;
  if (typeof target !== "string") return schema;
  const name = target.replace("#/components/schemas/", "");
  const found = DOC.components.schemas[name];
  if (!found) throw new Error(`unresolved ${target}`);
  return resolve(found);
}

/** Fields of `value` that `schema` does not name (JSON Schema lets them pass; the document should not). */
export function undocumented(value: unknown, schema: Json, at = ""): string[] {
  const s = resolve(schema);
  const branches = [...((s.anyOf as Json[]) ?? []), ...((s.allOf as Json[]) ?? [])].filter((b) => {
    const r = resolve(b);
    return [r.properties, r.items, r.anyOf, r.allOf].some((k) => k !== undefined);
  });
  if (branches.length > 0 && !s.properties && !s.items) {
    // One branch that names every field is enough (anyOf: the branch that fits; allOf: the full shape).
    const found = branches.map((b) => undocumented(value, b, at));
    return found.find((f) => f.length === 0) ?? found[0] ?? [];
  }
  if (Array.isArray(value) && s.items) return value.flatMap((v, i) => undocumented(v, s.items as Json, `${at}[${i}]`));
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [];
  const properties = s.properties as Record<string, Json> | undefined;
  if (!properties) return [];
  return Object.entries(value).flatMap(([key, v]) => {
    const property = properties[key];
    if (property) return undocumented(v, property, `${at}.${key}`);
    return typeof s.additionalProperties === "object" ? [] : [`${at}.${key}`];
  });
}

/** Throws, naming the gap, when `response` to `method path` is not what the document says. */
export async function checkAnswer(method: string, url: string, response: Response): Promise<void> {
  const path = new URL(url).pathname;
  const template = documentedPath(path);
  const operation = template ? DOC.paths[template]?.[method.toLowerCase()] : undefined;
  const type = (response.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
  const text = await response.clone().text();
  const where = `${method} ${path} → ${response.status} ${type}`;
  if (!operation || !template) {
    // An unknown route answers the one 404 every route can give.
    if (response.status !== 404) throw new Error(`${where}: the route is not in /openapi.json`);
    const valid = validator("components", "schemas", "Error");
    if (!valid(JSON.parse(text))) throw new Error(`${where}: ${ajv.errorsText(valid.errors)}`);
    return;
  }
  const status = String(response.status);
  const answer = operation.responses[status];
  if (!answer) throw new Error(`${where}: status ${status} is not documented for ${method} ${template}`);
  if (!answer.content) {
    if (text !== "") throw new Error(`${where}: documented without a body, but it has one`);
    return;
  }
  const media = answer.content[type];
  if (!media) throw new Error(`${where}: ${type} is not documented (${Object.keys(answer.content).join(", ")})`);
  if (type !== "application/json") return;
  const body = JSON.parse(text) as unknown;
  const valid = validator("paths", template, method.toLowerCase(), "responses", status, "content", type, "schema");
  if (!valid(body)) throw new Error(`${where}: ${ajv.errorsText(valid.errors)}\n${text.slice(0, 600)}`);
  const extra = undocumented(body, media.schema);
  if (extra.length > 0) throw new Error(`${where}: undocumented fields ${extra.join(", ")}`);
}

/** ajv over a component schema, for the conformance tests of the validators. */
export function componentValidator(name: string): ValidateFunction {
  return validator("components", "schemas", name);
}
