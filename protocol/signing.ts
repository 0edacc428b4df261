/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`; `v1a` is Ed25519 (beats, so the Worker holds only
 * public keys), `v1` is HMAC-SHA256 (outgoing alerts, verifiable by any Standard Webhooks library).
 */
import { type Bytes, base64ToBytes, bytesToBase64 } from "./base64.ts";
import { decodeSecret } from "./keys.ts";
import { MAX_SIGNATURES, WEBHOOK_ID_PATTERN } from "./limits.ts";

export const HEADER_ID = "webhook-id";
export const HEADER_TIMESTAMP = "webhook-timestamp";
export const HEADER_SIGNATURE = "webhook-signature";

export type SignatureVersion = "v1" | "v1a";

export interface SignatureHeaders {
  [HEADER_ID]: string;
  [HEADER_TIMESTAMP]: string;
  [HEADER_SIGNATURE]: string;
}

export interface ParsedSignature {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  signatures: { version: string; bytes: Bytes }[];
}

export type HeaderProblem = { code: "missing_signature" | "malformed_signature"; message: string };

const encoder = new TextEncoder();

function signedContent(id: string, timestamp: number, body: Bytes | string): Bytes {
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const payload = typeof body === "string" ? encoder.encode(body) : body;
  const content = new Uint8Array(prefix.length + payload.length);
  content.set(prefix);
  content.set(payload, prefix.length);
  return content;
}

/** Reads and checks the three headers' form; it does not verify anything cryptographic. */
export function parseSignatureHeaders(
  get: (name: string) => string | null | undefined,
): ParsedSignature | HeaderProblem {
  const id = get(HEADER_ID);
  const timestamp = get(HEADER_TIMESTAMP);
  const signature = get(HEADER_SIGNATURE);
  const missing = [
    [HEADER_ID, id],
    [HEADER_TIMESTAMP, timestamp],
    [HEADER_SIGNATURE, signature],
  ]
    .filter(([, value]) => !value)
    .map(([name]) => name);
  if (missing.length > 0) {
    return {
      code: "missing_signature",
      message: `missing header(s) ${missing.join(", ")}: sign the request as Standard Webhooks describes (the beacon does this)`,
    };
  }
  if (!WEBHOOK_ID_PATTERN.test(id as string)) {
    return { code: "malformed_signature", message: "webhook-id must be 1-128 printable ASCII characters" };
  }
  // Canonical only: the signed content is `${id}.${Number(timestamp)}.${body}`, so "01700000000"
  // would be verified over text the sender never signed.
  if (!/^(0|[1-9]\d{0,11})$/.test(timestamp as string)) {
    return {
      code: "malformed_signature",
      message: "webhook-timestamp must be unix seconds as a plain decimal (digits only, no leading zeros)",
    };
  }
  const parts = (signature as string).trim().split(/ +/);
  if (parts.length > MAX_SIGNATURES) {
    return {
      code: "malformed_signature",
      message: `webhook-signature carries ${parts.length} signatures; at most ${MAX_SIGNATURES} are allowed`,
    };
  }
  const signatures: ParsedSignature["signatures"] = [];
  for (const part of parts) {
    const comma = part.indexOf(",");
    const bytes = comma > 0 ? base64ToBytes(part.slice(comma + 1)) : null;
    if (!bytes || bytes.length === 0) {
      return {
        code: "malformed_signature",
        message: 'webhook-signature entries must look like "v1a,<base64 signature>", separated by spaces',
      };
    }
    signatures.push({ version: part.slice(0, comma), bytes });
  }
  return { id: id as string, timestamp: Number(timestamp), signatures };
}

export function isHeaderProblem(value: ParsedSignature | HeaderProblem): value is HeaderProblem {
  return "code" in value;
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  const bytes = decodeSecret(secret);
  if (!bytes) throw new Error("webhook secret must be whsec_ followed by base64 of 16-64 bytes");
  return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

/** Signs with `v1a` (Ed25519); returns the three headers. */
export async function signV1a(
  privateKey: CryptoKey,
  id: string,
  timestamp: number,
  body: Bytes | string,
): Promise<SignatureHeaders> {
  const sig = await crypto.subtle.sign("Ed25519", privateKey, signedContent(id, timestamp, body));
  return headers(id, timestamp, `v1a,${bytesToBase64(new Uint8Array(sig))}`);
}

/** Signs with `v1` (HMAC-SHA256 with a `whsec_` secret); returns the three headers. */
export async function signV1(
  secret: string,
  id: string,
  timestamp: number,
  body: Bytes | string,
): Promise<SignatureHeaders> {
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(secret), signedContent(id, timestamp, body));
  return headers(id, timestamp, `v1,${bytesToBase64(new Uint8Array(sig))}`);
}

function headers(id: string, timestamp: number, signature: string): SignatureHeaders {
  return { [HEADER_ID]: id, [HEADER_TIMESTAMP]: String(timestamp), [HEADER_SIGNATURE]: signature };
}

/** True when any `v1a` signature in the header verifies with `publicKey`. */
export async function verifyV1a(publicKey: CryptoKey, parsed: ParsedSignature, body: Bytes | string): Promise<boolean> {
  const content = signedContent(parsed.id, parsed.timestamp, body);
  for (const { version, bytes } of parsed.signatures) {
    if (version !== "v1a" || bytes.length !== 64) continue;
    if (await crypto.subtle.verify("Ed25519", publicKey, bytes, content)) return true;
  }
  return false;
}

/** True when any `v1` signature verifies with the `whsec_` secret (HMAC verify is constant-time). */
export async function verifyV1(secret: string, parsed: ParsedSignature, body: Bytes | string): Promise<boolean> {
  const key = await hmacKey(secret);
  const content = signedContent(parsed.id, parsed.timestamp, body);
  for (const { version, bytes } of parsed.signatures) {
    if (version !== "v1") continue;
    if (await crypto.subtle.verify("HMAC", key, bytes, content)) return true;
  }
  return false;
}
