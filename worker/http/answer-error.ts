/** The app's error handler: every failure leaves in the one error shape of protocol/answers.ts. */
import type { ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { type ErrorCode, errorBody } from "../../protocol/answers.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "./errors.ts";

/** Hono's middleware throws HTTPException; each status answers with the code the contract gives it. */
const HTTP_EXCEPTION_CODES: Partial<Record<number, ErrorCode>> = {
  401: "unauthorized",
  404: "not_found",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};

function httpExceptionCode(status: number): ErrorCode {
  return HTTP_EXCEPTION_CODES[status] ?? (status >= 500 ? "internal_error" : "invalid_request");
}

export const answerError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof ApiError) {
    return c.json(errorBody(err.code, err.message, err.details), err.status, err.headers);
  }
  if (err instanceof HTTPException) {
    return c.json(errorBody(httpExceptionCode(err.status), err.message), err.status);
  }
  const requestId = c.get("requestId");
  console.error(JSON.stringify({ requestId, error: String(err) }));
  return c.json(errorBody("internal_error", `unexpected error; quote request id ${requestId} when reporting it`), 500);
};
