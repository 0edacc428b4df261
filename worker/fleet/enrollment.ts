/**
 * Per-host enrollment tokens (DESIGN §5): the admin issues a one-time, expiring token; the host
 * registers its own public key with it, signing the request with the new key (proof of possession).
 * Tokens are kept (as SHA-256 hashes) and burned by the ledger (ledger/tokens.ts), where a burn is
 * atomic: of N concurrent enrollments with one token exactly one wins, before any key is written.
 */
import { type Bytes, bytesToBase64 } from "../../protocol/base64.ts";
import { describeHostIdProblem, HOST_ID_SCHEMA, hostIdProblem } from "../../protocol/host.ts";
import { integer, type JsonSchema } from "../../protocol/json-schema.ts";
import { decodePublicKey, importPublicKey, PUBLIC_KEY_SCHEMA } from "../../protocol/keys.ts";
import { verifyV1a } from "../../protocol/signing.ts";
import { iso } from "../../protocol/time.ts";
import type { FieldError, Validation } from "../../protocol/validation.ts";
import { type BodyRule, readSignedJsonObject } from "../http/body.ts";
import { ApiError, invalidFields } from "../http/errors.ts";
import { checkFresh } from "../http/fresh.ts";
import { forgetHost } from "./host-cache.ts";
import { putHost } from "./hosts.ts";
import type { HostConfig } from "./records.ts";
import { readHost, readKey, writeKey } from "./store.ts";
import type { TokenBook } from "./token-book.ts";

/** A day: long enough to hand a token to whoever installs the host, short enough to be useless when leaked later. */
export const DEFAULT_TOKEN_TTL_SECONDS = 86_400;
const MAX_TOKEN_TTL_SECONDS = 30 * 86_400;
const TOKEN_PREFIX = "swe_";
const MAX_ENROLL_BYTES = 4096;
/** Tokens are 28 characters; anything much longer is not one of ours and is not worth hashing. */
const MAX_TOKEN_LENGTH = 200;

/** `POST /v1/hosts/:id/enrollment`'s body, for `GET /openapi.json`: the bounds `issueToken` checks. */
export const TOKEN_REQUEST_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    ttlSeconds: {
      ...integer(60, MAX_TOKEN_TTL_SECONDS, "how long the token stays valid"),
      default: DEFAULT_TOKEN_TTL_SECONDS,
    },
  },
};

async function hashToken(token: string): Promise<string> {
  return bytesToBase64(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))));
}

export async function issueToken(
  kv: KVNamespace,
  book: TokenBook,
  id: string,
  ttlSeconds: unknown,
  now: number,
): Promise<{ token: string; expiresAt: string; host: HostConfig }> {
  const ttl = ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (typeof ttl !== "number" || !Number.isSafeInteger(ttl) || ttl < 60 || ttl > MAX_TOKEN_TTL_SECONDS) {
    throw new ApiError(400, "invalid_request", `ttlSeconds must be an integer from 60 to ${MAX_TOKEN_TTL_SECONDS}`);
  }
  const existing = await readHost(kv, id);
  const host = existing ?? (await putHost(kv, id, {}, now)).host;
  const token =
    TOKEN_PREFIX +
    bytesToBase64(crypto.getRandomValues(new Uint8Array(24))).replace(/[+/=]/g, (c) =>
      c === "+" ? "-" : c === "/" ? "_" : "",
    );
  const expiresAt = now + ttl * 1000;
  await book.issueToken(id, await hashToken(token), expiresAt, now);
  return { token, expiresAt: iso(expiresAt), host };
}

export interface EnrollRequest {
  host: string;
  publicKey: string;
  token: string;
}

/** `POST /v1/enroll`'s body: what `validateEnrollRequest` checks (a missing or wrong token is a 401, not a 400). */
export const ENROLL_REQUEST_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    host: HOST_ID_SCHEMA,
    publicKey: PUBLIC_KEY_SCHEMA,
    token: { type: "string", maxLength: MAX_TOKEN_LENGTH, description: "the one-time token the admin issued" },
  },
  required: ["host", "publicKey", "token"],
};

const ENROLL_BODY: BodyRule = { maxBytes: MAX_ENROLL_BYTES, what: "an enrollment request {host, publicKey, token}" };

/** Host and key are the body's schema (400); the token's shape is judged with the token itself (401). */
function validateEnrollRequest(json: Record<string, unknown>): Validation<EnrollRequest> {
  const errors: FieldError[] = [];
  const hostProblem = hostIdProblem(json.host);
  if (hostProblem) errors.push({ field: "host", message: describeHostIdProblem(json.host, hostProblem) });
  if (decodePublicKey(json.publicKey) === null) {
    errors.push({ field: "publicKey", message: "publicKey must be whpk_ + base64 of a 32-byte Ed25519 key" });
  }
  if (errors.length > 0) return { ok: false, errors };
  const token = typeof json.token === "string" ? json.token : "";
  return { ok: true, value: { host: json.host as string, publicKey: json.publicKey as string, token } };
}

function invalidToken(): ApiError {
  return new ApiError(
    401,
    "invalid_token",
    "the enrollment token is unknown, expired or for another host: ask the admin for a new one (POST /v1/hosts/:id/enrollment)",
  );
}

/** Registers the host's key. The request is signed (v1a) with the key being registered. */
export async function enroll(request: Request, kv: KVNamespace, book: TokenBook, now: number): Promise<HostConfig> {
  const { signature, bytes, json } = await readSignedJsonObject(request, ENROLL_BODY);
  const validation = validateEnrollRequest(json);
  if (!validation.ok) {
    const code = validation.errors.some((e) => e.field === "host") ? "invalid_host" : "invalid_request";
    throw invalidFields(code, validation.errors);
  }
  const { host: id, publicKey, token } = validation.value;
  if (token === "" || token.length > MAX_TOKEN_LENGTH) throw invalidToken();
  const key = await importPublicKey(decodePublicKey(publicKey) as Bytes);
  if (!(await verifyV1a(key, signature, bytes))) {
    throw new ApiError(
      401,
      "invalid_signature",
      "sign the enrollment request with the private key whose public key it registers",
    );
  }
  checkFresh("webhook-timestamp", signature.timestamp * 1000, now, "enrollment request");

  // Burned before anything else is read or written: whoever loses learns only that it lost. A token
  // used for a host that turns out to have a key already is spent too (the admin replaces keys).
  const burn = await book.burnToken(id, await hashToken(token), now);
  if (burn === "unknown") throw invalidToken();
  if (burn === "used") {
    throw new ApiError(409, "token_used", "this enrollment token was already used; ask the admin for a new one");
  }
  const host = await readHost(kv, id);
  if (!host) throw invalidToken();
  if ((await readKey(kv, host)) !== null) {
    throw new ApiError(
      409,
      "key_registered",
      `host ${id} already has a registered key; replacing it needs the admin (PUT /v1/hosts/${id} with the new publicKey)`,
    );
  }
  // Only key:<id>: the host's config is the admin's, and rewriting it here could undo a PATCH racing this.
  await writeKey(kv, host, publicKey);
  forgetHost(id);
  return host;
}
