/**
 * Domain code throws ApiError; the app's error handler turns it into the one error shape of
 * protocol/answers.ts.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "../../protocol/answers.ts";

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
