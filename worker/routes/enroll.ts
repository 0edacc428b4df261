import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { enroll, issueToken } from "../fleet/enrollment.ts";
import { checkHostId } from "../fleet/hosts.ts";
import { requireAdmin } from "../http/auth.ts";
import { jsonObject } from "../http/body.ts";
import { now } from "../http/clock.ts";
import { limitByClient } from "../http/rate-limit.ts";

export const enrollment = new Hono<AppEnv>();

enrollment.post("/v1/hosts/:id/enrollment", requireAdmin, async (c) => {
  const id = c.req.param("id");
  checkHostId(id);
  const body = await jsonObject(c);
  const { token, expiresAt } = await issueToken(c.env.SEATWATCH_KV, id, body.ttlSeconds, now());
  return c.json({ host: id, token, expiresAt }, 201);
});

enrollment.post("/v1/enroll", limitByClient, async (c) => {
  const host = await enroll(c.req.raw, c.env.SEATWATCH_KV, now());
  return c.json({ enrolled: true, host: host.id, policy: host.policy });
});
