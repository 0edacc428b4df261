/**
 * Domain code throws ApiError; `answerError` (answer-error.ts) turns it, Hono's own HTTPException
 * and anything unexpected into the one error shape of protocol/answers.ts. This file needs no
 * Worker types, so pure modules tested in Node may import it.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "../../protocol/answers.ts";
import type { FieldError } from "../../protocol/validation.ts";

export { errorBody } from "../../protocol/answers.ts";

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

/** A failed validation as a 400 naming every field's problem; `details` carries the fields. */
export function invalidFields(
  code: ErrorCode,
  errors: FieldError[],
  message = errors.map((e) => e.message).join("; "),
): ApiError {
  return new ApiError(400, code, message, errors);
}
