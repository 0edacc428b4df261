/** JSON bodies of admin calls: small, objects only, a clear 400 otherwise. */
import type { Context } from "hono";
import type { Bytes } from "../../protocol/base64.ts";
import { ApiError } from "./errors.ts";

const MAX_ADMIN_BODY_BYTES = 8 * 1024;

export async function jsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.length > MAX_ADMIN_BODY_BYTES) {
    throw new ApiError(413, "payload_too_large", `admin bodies may be at most ${MAX_ADMIN_BODY_BYTES} bytes`);
  }
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "the body must be JSON; it did not parse");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ApiError(400, "invalid_json", "the body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/** True when the request says up front that its body is larger than `max` (checked before reading it). */
export function declaredTooLarge(request: Request, max: number): boolean {
  const length = request.headers.get("content-length");
  return length !== null && Number(length) > max;
}

/** Reads at most `max` bytes, stopping (and cancelling the stream) as soon as the limit is passed. */
export async function readBounded(request: Request, max: number, tooLarge: () => Error): Promise<Bytes> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge();
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
