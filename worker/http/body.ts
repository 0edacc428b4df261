/**
 * The one way a request body comes in (DESIGN §5): size by bytes (the declared length first, then
 * counted while reading, so an oversize stream is cut off rather than buffered), content type, and
 * a UTF-8 JSON object. Beats, enrollments and admin calls differ only in their `BodyRule`.
 */
import type { Bytes } from "../../protocol/base64.ts";
import { isHeaderProblem, type ParsedSignature, parseSignatureHeaders } from "../../protocol/signing.ts";
import { ApiError } from "./errors.ts";

export interface BodyRule {
  maxBytes: number;
  /** What the body is, for the messages: "a beat". */
  what: string;
  /** What to do about a body that is too large, appended to the 413 message. */
  tooLargeHint?: string;
  /**
   * Admin bodies may be left out (every field is optional), and their content type is not judged:
   * `curl -d` and `fetch` with a string body label JSON as form data or text, and the caller is
   * authenticated already. An empty body reads as `{}`.
   */
  omittable?: boolean;
}

/** Admin calls carry a policy or a webhook: a few hundred bytes; 8 KiB leaves room and bounds a request's CPU. */
const ADMIN_BODY: BodyRule = { maxBytes: 8 * 1024, what: "an admin body", omittable: true };

function tooLarge(rule: BodyRule): ApiError {
  return new ApiError(
    413,
    "payload_too_large",
    `${rule.what} may be at most ${rule.maxBytes} bytes${rule.tooLargeHint ? `; ${rule.tooLargeHint}` : ""}`,
  );
}

function isJsonType(header: string): boolean {
  const [type, ...params] = header.split(";").map((part) => part.trim().toLowerCase());
  const charsetOk = params.every((p) => !p.startsWith("charset=") || p === "charset=utf-8" || p === 'charset="utf-8"');
  return type === "application/json" && charsetOk;
}

/** 413 by the declared length, then 415: what can be judged before reading a byte. */
function checkBodyHeaders(request: Request, rule: BodyRule): void {
  const length = request.headers.get("content-length");
  if (length !== null && Number(length) > rule.maxBytes) throw tooLarge(rule);
  if (rule.omittable) return;
  const type = request.headers.get("content-type");
  if (!isJsonType(type ?? "")) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `content-type must be application/json (charset=utf-8 allowed); got ${JSON.stringify(type ?? "")}`,
    );
  }
}

/** Reads at most `max` bytes, stopping (and cancelling the stream) as soon as the limit is passed. */
async function readBounded(request: Request, rule: BodyRule): Promise<Bytes> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > rule.maxBytes) {
      await reader.cancel();
      throw tooLarge(rule);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

export interface JsonBody {
  /** The bytes as sent: what a signature covers. */
  bytes: Bytes;
  json: Record<string, unknown>;
}

/** An admin call's JSON object (`{}` when it sent none). */
export async function adminBody(request: Request): Promise<Record<string, unknown>> {
  checkBodyHeaders(request, ADMIN_BODY);
  return parseObject(await readBounded(request, ADMIN_BODY), ADMIN_BODY).json;
}

/**
 * A body signed with Standard Webhooks headers (beats, enrollments), in the contract's order:
 * 413 → 415 → 401 signature headers → 413 while reading → 400 JSON. Whether the signature verifies
 * is the caller's to judge: it needs the key the body names.
 */
export async function readSignedJsonObject(
  request: Request,
  rule: BodyRule,
): Promise<JsonBody & { signature: ParsedSignature }> {
  checkBodyHeaders(request, rule);
  const signature = parseSignatureHeaders((name) => request.headers.get(name));
  if (isHeaderProblem(signature)) throw new ApiError(401, signature.code, signature.message);
  return { signature, ...parseObject(await readBounded(request, rule), rule) };
}

function parseObject(bytes: Bytes, rule: BodyRule): JsonBody {
  let value: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    value = rule.omittable && text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "the body must be UTF-8 JSON; it did not parse");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ApiError(400, "invalid_json", `the body must be a JSON object (${rule.what})`);
  }
  return { bytes, json: value as Record<string, unknown> };
}
