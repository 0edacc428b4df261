import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { enroll } from "../fleet/enrollment.ts";
import { now } from "../http/clock.ts";
import { limitByClient } from "../http/rate-limit.ts";

export const enrollment = new Hono<AppEnv>();

enrollment.post("/", limitByClient, async (c) => {
  const host = await enroll(c.req.raw, c.env.SEATWATCH_KV, now());
  return c.json({ enrolled: true, host: host.id, policy: host.policy });
});
