/**
 * Host ids (DESIGN §4): lower-case, no normalisation. An id that does not match is
 * rejected, never rewritten, so two spellings can never name one host.
 */
import { type JsonSchema, matching } from "./json-schema.ts";

export const HOST_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** `fleet` names the whole fleet in badges (`/badge/fleet.svg`). */
export const RESERVED_HOST_IDS: ReadonlySet<string> = new Set(["fleet"]);

/** What `hostIdProblem` accepts, for `GET /openapi.json`. */
export const HOST_ID_SCHEMA: JsonSchema = {
  ...matching(HOST_ID_PATTERN, "1-63 characters of a-z 0-9 . _ -, starting with a letter or digit; no '..'"),
  not: { anyOf: [{ pattern: "\\.\\." }, { enum: [...RESERVED_HOST_IDS] }] },
};

export type HostIdProblem = "invalid" | "reserved";

/** Returns why `id` cannot name a host, or null when it can. */
export function hostIdProblem(id: unknown): HostIdProblem | null {
  if (typeof id !== "string" || !HOST_ID_PATTERN.test(id) || id.includes("..")) return "invalid";
  if (RESERVED_HOST_IDS.has(id)) return "reserved";
  return null;
}

export function describeHostIdProblem(id: unknown, problem: HostIdProblem): string {
  const shown = typeof id === "string" ? JSON.stringify(id.slice(0, 80)) : typeof id;
  if (problem === "reserved") return `host id ${shown} is reserved; choose another id`;
  return `host id ${shown} is invalid: use 1-63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit (no '..', no upper case)`;
}
