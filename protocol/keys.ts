/**
 * Key material in the Standard Webhooks spellings: `whpk_` public Ed25519 keys (raw 32 bytes,
 * base64) for beats, `whsec_` HMAC secrets for outgoing alerts. Private beacon keys are PKCS#8
 * PEM files, the format `openssl pkey` and WebCrypto both read.
 */
import { type Bytes, base64ToBytes, bytesToBase64 } from "./base64.ts";
import type { JsonSchema } from "./json-schema.ts";

export const PUBLIC_KEY_PREFIX = "whpk_";
export const SECRET_PREFIX = "whsec_";
const ED25519 = { name: "Ed25519" } as const;
const ED25519_KEY_BYTES = 32;

export function encodePublicKey(raw: Uint8Array): string {
  return PUBLIC_KEY_PREFIX + bytesToBase64(raw);
}

/** The raw 32-byte key inside a `whpk_…` string, or null when it is not one. */
export function decodePublicKey(text: unknown): Bytes | null {
  if (typeof text !== "string" || !text.startsWith(PUBLIC_KEY_PREFIX)) return null;
  const raw = base64ToBytes(text.slice(PUBLIC_KEY_PREFIX.length));
  return raw && raw.length === ED25519_KEY_BYTES ? raw : null;
}

export function importPublicKey(raw: Bytes): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, ED25519, false, ["verify"]);
}

export interface KeyPair {
  privateKey: CryptoKey;
  publicKey: string;
}

export async function generateKeyPair(): Promise<KeyPair> {
  const pair = (await crypto.subtle.generateKey(ED25519, true, ["sign", "verify"])) as CryptoKeyPair;
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  return { privateKey: pair.privateKey, publicKey: encodePublicKey(raw) };
}

const PEM_LABEL = "PRIVATE KEY";

export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = new Uint8Array((await crypto.subtle.exportKey("pkcs8", key)) as ArrayBuffer);
  return `-----BEGIN ${PEM_LABEL}-----\n${bytesToBase64(der)}\n-----END ${PEM_LABEL}-----\n`;
}

/** Imports a PKCS#8 PEM Ed25519 private key (extractable, so its public half can be derived). */
export async function privateKeyFromPem(pem: string): Promise<CryptoKey> {
  const body = pem
    .replace(`-----BEGIN ${PEM_LABEL}-----`, "")
    .replace(`-----END ${PEM_LABEL}-----`, "")
    .replace(/\s+/g, "");
  const der = base64ToBytes(body);
  if (!der) throw new Error("not a PEM private key (expected -----BEGIN PRIVATE KEY-----)");
  return crypto.subtle.importKey("pkcs8", der, ED25519, true, ["sign"]);
}

/** The `whpk_` public key that belongs to an Ed25519 private key. */
export async function publicKeyOf(privateKey: CryptoKey): Promise<string> {
  const jwk = (await crypto.subtle.exportKey("jwk", privateKey)) as JsonWebKey;
  if (!jwk.x) throw new Error("not an Ed25519 private key");
  const b64 = jwk.x.replace(/-/g, "+").replace(/_/g, "/");
  const raw = base64ToBytes(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  if (!raw) throw new Error("not an Ed25519 private key");
  return encodePublicKey(raw);
}

/** The HMAC key bytes inside a `whsec_…` secret (a bare base64 secret is accepted too, as the spec's libraries do). */
export function decodeSecret(secret: string): Bytes | null {
  const body = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const bytes = base64ToBytes(body);
  return bytes && bytes.length >= 16 && bytes.length <= 64 ? bytes : null;
}

export function generateSecret(): string {
  return SECRET_PREFIX + bytesToBase64(crypto.getRandomValues(new Uint8Array(32)));
}

const B64 = "[A-Za-z0-9+/]";
/** `decodePublicKey`'s rule as a pattern: 32 bytes are 44 characters of padded base64, one `=`. */
export const PUBLIC_KEY_SCHEMA: JsonSchema = {
  type: "string",
  pattern: `^${PUBLIC_KEY_PREFIX}${B64}{43}=$`,
  description: "whpk_ + base64 of the raw 32-byte Ed25519 public key (`seatwatch-beacon keygen` prints it)",
};

/** `decodeSecret`'s rule as a pattern: padded base64 of 16-64 bytes, `whsec_` optional. */
export const SECRET_SCHEMA: JsonSchema = {
  type: "string",
  pattern: `^(?:${SECRET_PREFIX})?(?:(?:${B64}{4}){5}(?:${B64}{2}==|${B64}{3}=)|(?:${B64}{4}){6,20}(?:${B64}{2}==|${B64}{3}=)?|(?:${B64}{4}){21}(?:${B64}{2}==)?)$`,
  description: "whsec_ + base64 of 16-64 random bytes; omit it and one is generated",
};
