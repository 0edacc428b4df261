import { Hono } from "hono/tiny";
import type { AppEnv } from "../env.ts";
import { loadWatchedFleet } from "../faces/monitor.ts";
import { fleetCheck, statusDocument, statusTable } from "../faces/status.ts";
import { requireRead } from "../http/auth.ts";
import { now } from "../http/clock.ts";

export const status = new Hono<AppEnv>();

function wantsText(accept: string | undefined, format: string | undefined): boolean {
  if (format !== undefined) return format === "text";
  return /\btext\/plain\b/.test(accept ?? "") && !/\bapplication\/json\b/.test(accept ?? "");
}

status.get("/status", requireRead(), async (c) => {
  const at = now();
  const { fleet, monitor } = await loadWatchedFleet(c.env, at);
  const doc = statusDocument(fleet, monitor, at);
  if (wantsText(c.req.header("accept"), c.req.query("format"))) return c.text(statusTable(doc, fleet, at));
  return c.json(doc);
});

status.get("/check", requireRead(), async (c) => {
  const { fleet, monitor } = await loadWatchedFleet(c.env, now());
  const answer = fleetCheck(fleet, monitor);
  return c.text(answer.text, answer.ok ? 200 : 503);
});
