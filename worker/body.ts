/** JSON bodies of admin calls: small, objects only, a clear 400 otherwise. */
import type { Context } from "hono";
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
