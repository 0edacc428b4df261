import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { loadWatchedFleet, watchedHost } from "../faces/monitor.ts";
import { hostCheck, hostDetail, hostSummary } from "../faces/status.ts";
import { UPTIME_NOTE, UPTIME_WINDOWS, uptimeWindows } from "../faces/uptime.ts";
import { checkHostId, patchHost, patchLabel, putHost, removeHost, requireHost } from "../fleet/hosts.ts";
import { beatMeta, hostMeta, readBeat } from "../fleet/store.ts";
import { hostView } from "../fleet/view.ts";
import { requireAdmin, requireRead } from "../http/auth.ts";
import { jsonObject } from "../http/body.ts";
import { now } from "../http/clock.ts";
import { ledgerStub } from "../ledger/ledger.ts";

export const hosts = new Hono<AppEnv>();

hosts.put("/v1/hosts/:id", requireAdmin, async (c) => {
  const at = now();
  const { host, created } = await putHost(c.env.SEATWATCH_KV, c.req.param("id"), await jsonObject(c), at);
  return c.json(hostDetail(host, hostView(host.id, hostMeta(host), null, at), null, at), created ? 201 : 200);
});

hosts.patch("/v1/hosts/:id", requireAdmin, async (c) => {
  const at = now();
  const kv = c.env.SEATWATCH_KV;
  const host = await patchHost(kv, c.req.param("id"), await jsonObject(c), at);
  const record = await readBeat(kv, host.id, host.epoch);
  return c.json(hostDetail(host, hostView(host.id, hostMeta(host), record && beatMeta(record), at), record, at));
});

hosts.patch("/v1/hosts", requireAdmin, async (c) => {
  const label = c.req.query("label");
  const changed = await patchLabel(c.env.SEATWATCH_KV, label, await jsonObject(c), now());
  return c.json({ label, changed: changed.length, hosts: changed.map((h) => ({ id: h.id, policy: h.policy })) });
});

hosts.delete("/v1/hosts/:id", requireAdmin, async (c) => {
  const removed = await removeHost(c.env.SEATWATCH_KV, c.req.param("id"));
  await ledgerStub(c.env).forget(removed.id, removed.epoch);
  return c.body(null, 204);
});

hosts.get("/v1/hosts", requireRead(), async (c) => {
  const at = now();
  const { fleet } = await loadWatchedFleet(c.env, at);
  const list = fleet.sort((a, b) => a.id.localeCompare(b.id)).map((h) => ({ ...hostSummary(h, at), policy: h.policy }));
  return c.json({ hosts: list });
});

async function loadHost(kv: KVNamespace, id: string) {
  checkHostId(id);
  const at = now();
  const host = await requireHost(kv, id);
  const record = await readBeat(kv, id, host.epoch);
  return { at, host, record, view: hostView(id, hostMeta(host), record && beatMeta(record), at) };
}

hosts.get("/v1/hosts/:id", requireRead(), async (c) => {
  const { at, host, record, view } = await loadHost(c.env.SEATWATCH_KV, c.req.param("id"));
  const watched = await watchedHost(c.env, view, at);
  return c.json(hostDetail(host, watched.view, record, at));
});

/** Transitions listed per request; uptime always uses every one in the 30-day window. */
const EVENTS_SHOWN = 500;

hosts.get("/v1/hosts/:id/events", requireRead(), async (c) => {
  const id = c.req.param("id");
  checkHostId(id);
  const host = await requireHost(c.env.SEATWATCH_KV, id);
  const at = now();
  const { transitions, changes } = await ledgerStub(c.env).history(
    id,
    host.epoch,
    at - UPTIME_WINDOWS["30d"],
    EVENTS_SHOWN,
  );
  return c.json({
    host: id,
    generatedAt: new Date(at).toISOString(),
    uptime: uptimeWindows(changes, at),
    uptimeNote: UPTIME_NOTE,
    events: transitions,
  });
});

hosts.get("/v1/hosts/:id/check", requireRead(), async (c) => {
  const { at, view } = await loadHost(c.env.SEATWATCH_KV, c.req.param("id"));
  const watched = await watchedHost(c.env, view, at);
  const answer = hostCheck(watched.view, watched.monitor);
  return c.text(answer.text, answer.ok ? 200 : 503);
});
