import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { describe, it } from "vitest";
import type { AppEnv } from "../../worker/env.ts";
import { answerError } from "../../worker/http/answer-error.ts";
import { expectError } from "./helpers.ts";

function throwing(status: 401 | 413 | 415 | 400): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/", () => {
    throw new HTTPException(status, { message: `thrown with ${status}` });
  });
  app.onError(answerError);
  return app;
}

describe("answerError", () => {
  it.each([
    [413, "payload_too_large"],
    [415, "unsupported_media_type"],
    [401, "unauthorized"],
    [400, "invalid_request"],
  ] as const)("answers an HTTPException %i with its own status and the code %s", async (status, code) => {
    const res = await throwing(status).request("/");
    await expectError(res, status, code);
  });
});
