import type { Context } from "hono";
import { etag } from "hono/etag";
import { Hono } from "hono/tiny";
import { hostIdProblem } from "../../protocol/host.ts";
import type { AppEnv } from "../env.ts";
import {
  type BadgeFace,
  badgeLabel,
  FLEET_LABEL,
  fleetFace,
  HOST_LABEL,
  hostFace,
  shieldsEndpoint,
  UNKNOWN_FACE,
} from "../faces/badge.ts";
import { BADGE_STYLES, type BadgeStyle, renderBadge } from "../faces/badge-svg.ts";
import { uptimeBadgeFace } from "../faces/uptime-badge.ts";
import { UPTIME_LABEL, UPTIME_PERIODS, uptimePeriod } from "../faces/uptime-face.ts";
import { readWindows } from "../fleet/maintenance-store.ts";
import { beatMeta, hostMeta } from "../fleet/records.ts";
import { readBeat, readHost } from "../fleet/store.ts";
import { hostView, loadFleet } from "../fleet/view.ts";
import { requireRead } from "../http/auth.ts";
import { now } from "../http/clock.ts";
import { ApiError } from "../http/errors.ts";

export const badges = new Hono<AppEnv>();

const BADGE_FILE = /^(.+)\.(svg|json)$/;

const BADGE_HEADERS = {
  // Badges change with every beat and with the clock ("silent 14m"): caches (GitHub's camo too)
  // must revalidate every time, and the ETag makes that a cheap 304.
  "cache-control": "no-cache",
  "x-content-type-options": "nosniff",
  // An SVG opened directly is a document: it may draw, never run or load anything.
  "content-security-policy": "default-src 'none'",
};

/** A host's face, or null for an unknown host (unenrolled, or not even a valid id). */
async function hostBadge(kv: KVNamespace, id: string, at: number): Promise<BadgeFace | null> {
  if (hostIdProblem(id) !== null) return null;
  // Config changes (a pause) reach badges within the edge cache's minute, like KV itself.
  const host = await readHost(kv, id, true);
  if (!host) return null;
  const [record, windows] = await Promise.all([readBeat(kv, id, host.epoch), readWindows(kv, true)]);
  return hostFace(hostView(id, hostMeta(host), record && beatMeta(record), at, windows), at);
}

badges.get("/:file", requireRead("badge"), etag(), async (c) => {
  const match = BADGE_FILE.exec(c.req.param("file"));
  if (!match?.[1]) {
    throw new ApiError(404, "not_found", "badges are /badge/<host>.svg, /badge/<host>.json or /badge/fleet.svg");
  }
  const [, id, format] = match;
  const at = now();
  const kv = c.env.SEATWATCH_KV;
  const fleet = id === "fleet";
  const face = fleet ? fleetFace(await loadFleet(kv, at)) : await hostBadge(kv, id, at);
  return badgeResponse(c, format, badgeLabel(c.req.query("label"), fleet ? FLEET_LABEL : HOST_LABEL), face);
});

const UPTIME_FILE = /^uptime\.(svg|json)$/;

badges.get("/:id/:file", requireRead("badge"), etag(), async (c) => {
  const format = UPTIME_FILE.exec(c.req.param("file"))?.[1];
  if (!format) throw new ApiError(404, "not_found", "uptime badges are /badge/<host>/uptime.svg or .json");
  const period = uptimePeriod(c.req.query("period"));
  if (period === null) {
    throw new ApiError(
      400,
      "invalid_request",
      `?period= must be one of ${UPTIME_PERIODS.join(", ")}, or left out for 30d`,
    );
  }
  const face = await uptimeBadgeFace(c.env, c.req.param("id"), period, now());
  return badgeResponse(c, format, badgeLabel(c.req.query("label"), UPTIME_LABEL), face);
});

/** The badge as shields.io JSON or SVG; a null face is the grey `unknown` badge with a 404. */
function badgeResponse(c: Context<AppEnv>, format: string | undefined, label: string, face: BadgeFace | null) {
  const content = { label, ...(face ?? UNKNOWN_FACE) };
  const status = face ? 200 : 404;
  if (format === "json") return c.json(shieldsEndpoint(content), status, BADGE_HEADERS);
  const requested = c.req.query("style");
  // Like shields.io, an unknown style draws the default rather than failing the image.
  const style: BadgeStyle = BADGE_STYLES.find((s) => s === requested) ?? "flat";
  return c.body(renderBadge(content, style), status, {
    ...BADGE_HEADERS,
    "content-type": "image/svg+xml; charset=utf-8",
  });
}
