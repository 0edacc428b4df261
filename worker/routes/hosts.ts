import { Hono } from "hono/tiny";
import { policyAnswer } from "../../protocol/answers.ts";
import { iso } from "../../protocol/time.ts";
import type { AppEnv } from "../env.ts";
import { loadWatchedFleet, watchedHost } from "../faces/monitor.ts";
import { hostCheck, hostDetail, hostSummary } from "../faces/status.ts";
import { UPTIME_NOTE, UPTIME_WINDOWS, uptimeWindows } from "../faces/uptime.ts";
import { issueToken } from "../fleet/enrollment.ts";
import { checkHostId, patchHost, patchLabel, putHost, removeHost, requireHost } from "../fleet/hosts.ts";
import { readWindows } from "../fleet/maintenance-store.ts";
import { beatMeta, hostMeta } from "../fleet/records.ts";
import { readBeat, readKey } from "../fleet/store.ts";
import { hostView } from "../fleet/view.ts";
import { requireAdmin, requireRead } from "../http/auth.ts";
import { adminBody } from "../http/body.ts";
import { now } from "../http/clock.ts";
import { ledgerStub } from "../ledger/ledger.ts";

export const hosts = new Hono<AppEnv>();

hosts.put("/:id", requireAdmin, async (c) => {
  const at = now();
  const { host, keyRegistered, created } = await putHost(
    c.env.SEATWATCH_KV,
    c.req.param("id"),
    await adminBody(c.req.raw),
    at,
  );
  const view = hostView(host.id, hostMeta(host), null, at);
  return c.json(hostDetail(host, keyRegistered, view, null, at), created ? 201 : 200);
});

hosts.post("/:id/enrollment", requireAdmin, async (c) => {
  const id = c.req.param("id");
  checkHostId(id);
  const body = await adminBody(c.req.raw);
  const { token, expiresAt } = await issueToken(c.env.SEATWATCH_KV, ledgerStub(c.env), id, body.ttlSeconds, now());
  return c.json({ host: id, token, expiresAt }, 201);
});

hosts.patch("/:id", requireAdmin, async (c) => {
  const at = now();
  const kv = c.env.SEATWATCH_KV;
  const { host, keyRegistered } = await patchHost(kv, c.req.param("id"), await adminBody(c.req.raw), at);
  const [record, windows] = await Promise.all([readBeat(kv, host.id, host.epoch), readWindows(kv, true)]);
  const view = hostView(host.id, hostMeta(host), record && beatMeta(record), at, windows);
  return c.json(hostDetail(host, keyRegistered, view, record, at));
});

hosts.patch("/", requireAdmin, async (c) => {
  const label = c.req.query("label");
  const changed = await patchLabel(c.env.SEATWATCH_KV, label, await adminBody(c.req.raw), now());
  return c.json({
    label,
    changed: changed.length,
    hosts: changed.map((h) => ({ id: h.id, policy: policyAnswer(h.policy) })),
  });
});

hosts.delete("/:id", requireAdmin, async (c) => {
  await removeHost(c.env.SEATWATCH_KV, c.req.param("id"), (host) => ledgerStub(c.env).forget(host.id, host.epoch));
  return c.body(null, 204);
});

hosts.get("/", requireRead(), async (c) => {
  const at = now();
  const { fleet } = await loadWatchedFleet(c.env, at);
  const list = fleet
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((h) => ({ ...hostSummary(h, at), policy: policyAnswer(h.policy) }));
  return c.json({ hosts: list });
});

async function loadHost(kv: KVNamespace, id: string) {
  checkHostId(id);
  const at = now();
  const host = await requireHost(kv, id);
  const [record, windows] = await Promise.all([readBeat(kv, id, host.epoch), readWindows(kv, true)]);
  return { at, host, record, view: hostView(id, hostMeta(host), record && beatMeta(record), at, windows) };
}

hosts.get("/:id", requireRead(), async (c) => {
  const kv = c.env.SEATWATCH_KV;
  const { at, host, record, view } = await loadHost(kv, c.req.param("id"));
  const [watched, key] = await Promise.all([watchedHost(c.env, view, at), readKey(kv, host)]);
  return c.json(hostDetail(host, key !== null, watched.view, record, at));
});

/** Transitions listed per request; uptime always uses every one in the 30-day window. */
const EVENTS_SHOWN = 500;

hosts.get("/:id/events", requireRead(), async (c) => {
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
    generatedAt: iso(at),
    uptime: uptimeWindows(changes, at),
    uptimeNote: UPTIME_NOTE,
    events: transitions,
  });
});

hosts.get("/:id/check", requireRead(), async (c) => {
  const { at, view } = await loadHost(c.env.SEATWATCH_KV, c.req.param("id"));
  const watched = await watchedHost(c.env, view, at);
  const answer = hostCheck(watched.view, watched.monitor);
  return c.text(answer.text, answer.ok ? 200 : 503);
});
