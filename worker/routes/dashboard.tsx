/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import { type Context, Hono } from "hono";
import { etag } from "hono/etag";
import { html } from "hono/html";
import type { AppEnv } from "../env.ts";
import { Dashboard } from "../faces/dashboard.tsx";
import { DASHBOARD_CSS, FAVICON_SVG } from "../faces/dashboard-assets.ts";
import { dashboardFleet } from "../faces/fleet-cache.ts";
import { HOST_CSS } from "../faces/host-page-assets.ts";
import { PAGE_JS } from "../faces/local-time.tsx";
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

// Static and data-free, so public even with READ_TOKEN set; revalidated cheaply by ETag.
const asset = (body: string, type: string) => (c: Context) =>
  c.body(body, 200, { "content-type": type, "cache-control": "no-cache", "x-content-type-options": "nosniff" });

dashboard.get("/dashboard.css", etag(), asset(DASHBOARD_CSS, "text/css; charset=utf-8"));
dashboard.get("/host.css", etag(), asset(HOST_CSS, "text/css; charset=utf-8"));
dashboard.get("/dashboard.js", etag(), asset(PAGE_JS, "text/javascript; charset=utf-8"));
dashboard.get("/favicon.svg", etag(), asset(FAVICON_SVG, "image/svg+xml"));
