/**
 * Per client address, before any storage read, so a flood of forged requests costs no KV
 * operation (DESIGN §5). Used by the unauthenticated write routes: beats and enrollment.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "./errors.ts";

export const limitByClient: MiddlewareHandler<AppEnv> = async (c, next) => {
  const ip = c.req.header("cf-connecting-ip") ?? "unknown";
  const { success } = await c.env.BEAT_LIMITER.limit({ key: ip });
  if (!success) {
    throw new ApiError(429, "rate_limited", "too many requests from this address; retry in a minute", undefined, {
      "retry-after": "60",
    });
  }
  await next();
};
