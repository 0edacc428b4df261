import { Hono } from "hono";
import { requireRead } from "../auth.ts";
import { now } from "../clock.ts";
import type { AppEnv } from "../env.ts";
import { loadFleet } from "../fleet.ts";
import { fleetCheck, type Monitor, statusDocument, statusTable } from "../status.ts";

export const status = new Hono<AppEnv>();

/** The cron's own health arrives with the dead-man's switch; until then the monitor has never run. */
const NO_MONITOR: Monitor = { lastCronAt: null, hostsEvaluated: 0, stale: false, undelivered: 0 };

function wantsText(accept: string | undefined, format: string | undefined): boolean {
  if (format !== undefined) return format === "text";
  return /\btext\/plain\b/.test(accept ?? "") && !/\bapplication\/json\b/.test(accept ?? "");
}

status.get("/v1/status", requireRead(), async (c) => {
  const at = now();
  const fleet = await loadFleet(c.env.SEATWATCH_KV, at);
  const doc = statusDocument(fleet, NO_MONITOR, at);
  if (wantsText(c.req.header("accept"), c.req.query("format"))) return c.text(statusTable(doc, fleet, at));
  return c.json(doc);
});

status.get("/v1/check", requireRead(), async (c) => {
  const fleet = await loadFleet(c.env.SEATWATCH_KV, now());
  const answer = fleetCheck(fleet, NO_MONITOR);
  return c.text(answer.text, answer.ok ? 200 : 503);
});
