import { Hono } from "hono";
import { now } from "../clock.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { ingestBeat } from "../ingest.ts";

export const beats = new Hono<AppEnv>();

beats.post("/v1/beats", async (c) => {
  // Per client IP, before any storage read, so a flood of forged beats costs no KV operation.
  const ip = c.req.header("cf-connecting-ip") ?? "unknown";
  const { success } = await c.env.BEAT_LIMITER.limit({ key: ip });
  if (!success) {
    throw new ApiError(429, "rate_limited", "too many requests from this address; retry in a minute", undefined, {
      "retry-after": "60",
    });
  }
  const { host, record } = await ingestBeat(c.req.raw, c.env.SEATWATCH_KV, now());
  return c.json({ accepted: true, state: record.state, reason: record.reason, minSeats: host.policy.minSeats }, 202);
});
