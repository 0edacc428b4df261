/**
 * One error shape everywhere (DESIGN §5): `{ error: { code, message } }` with the right status.
 * Domain code throws ApiError; the app's error handler turns it into the response.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

export type ErrorCode =
  | "payload_too_large"
  | "unsupported_media_type"
  | "missing_signature"
  | "malformed_signature"
  | "invalid_signature"
  | "stale_timestamp"
  | "unauthorized"
  | "admin_disabled"
  | "invalid_token"
  | "invalid_json"
  | "invalid_host"
  | "invalid_beat"
  | "invalid_policy"
  | "invalid_request"
  | "reserved_host"
  | "not_found"
  | "unknown_host"
  | "replayed"
  | "token_used"
  | "key_registered"
  | "invalid_webhook"
  | "unknown_webhook"
  | "unknown_label"
  | "delivery_failed"
  | "rate_limited"
  | "internal_error";

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export function errorBody(code: ErrorCode, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
