/** @jsxRuntime automatic @jsxImportSource hono/jsx */

import { html } from "hono/html";
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env.ts";
import { Dashboard } from "../faces/dashboard.tsx";
import { dashboardFleet } from "../faces/fleet-cache.ts";
import { requireRead } from "../http/auth.ts";
import { now } from "../http/clock.ts";
import { pageHeaders } from "../http/page-headers.ts";
import { refreshSeconds } from "../http/refresh.ts";

export const dashboard = new Hono<AppEnv>();

/** Seconds between refreshes unless `?refresh=N`. Tabs share one fleet listing per 15 s (fleet-cache.ts). */
const REFRESH_SECONDS = 30;

dashboard.get("/", requireRead(), pageHeaders, async (c) => {
  const at = now();
  const origin = new URL(c.req.url).origin;
  const { fleet: hosts, histories, monitor } = await dashboardFleet(c.env, origin, at);
  const data = {
    hosts,
    histories,
    monitor,
    now: at,
    origin,
    refreshSeconds: refreshSeconds(c.req.query("refresh"), REFRESH_SECONDS),
    badgesPublic: !c.env.READ_TOKEN || c.env.PUBLIC_BADGES !== "false",
  };
  c.header("cache-control", "no-store");
  return c.html(html`<!doctype html>${<Dashboard data={data} />}`);
});
