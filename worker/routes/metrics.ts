import { Hono } from "hono";
import { requireRead } from "../auth.ts";
import { now } from "../clock.ts";
import type { AppEnv } from "../env.ts";
import { loadFleet } from "../fleet.ts";
import { METRICS_CONTENT_TYPE, metricsText } from "../metrics.ts";
import { loadMonitor } from "../monitor.ts";

export const metrics = new Hono<AppEnv>();

metrics.get("/metrics", requireRead(), async (c) => {
  const at = now();
  const [fleet, monitor] = await Promise.all([loadFleet(c.env.SEATWATCH_KV, at), loadMonitor(c.env, at)]);
  return c.body(metricsText(fleet, monitor, at), 200, {
    "content-type": METRICS_CONTENT_TYPE,
    "cache-control": "no-store",
  });
});
