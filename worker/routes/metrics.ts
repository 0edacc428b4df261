import { Hono } from "hono/tiny";
import type { AppEnv } from "../env.ts";
import { METRICS_CONTENT_TYPE, metricsText } from "../faces/metrics.ts";
import { loadMonitor } from "../faces/monitor.ts";
import { loadFleet } from "../fleet/view.ts";
import { requireRead } from "../http/auth.ts";
import { now } from "../http/clock.ts";

export const metrics = new Hono<AppEnv>();

metrics.get("/", requireRead(), async (c) => {
  const at = now();
  const [fleet, monitor] = await Promise.all([loadFleet(c.env.SEATWATCH_KV, at), loadMonitor(c.env, at)]);
  return c.body(metricsText(fleet, monitor, at), 200, {
    "content-type": METRICS_CONTENT_TYPE,
    "cache-control": "no-store",
  });
});
