import { Hono } from "hono";
import { requireRead } from "../auth.ts";
import { now } from "../clock.ts";
import type { AppEnv } from "../env.ts";
import { type HostView, loadFleet } from "../fleet.ts";
import { type LedgerHostState, ledgerStub } from "../ledger.ts";
import { fleetCheck, statusDocument, statusTable } from "../status.ts";

export const status = new Hono<AppEnv>();

function wantsText(accept: string | undefined, format: string | undefined): boolean {
  if (format !== undefined) return format === "text";
  return /\btext\/plain\b/.test(accept ?? "") && !/\bapplication\/json\b/.test(accept ?? "");
}

/** `since` comes from the ledger's record of the state where it knows it (DESIGN §2); KV's guess otherwise. */
function withLedgerSince(fleet: HostView[], known: Record<string, LedgerHostState>): HostView[] {
  return fleet.map((h) => {
    const k = known[h.id];
    return k && k.state === h.state ? { ...h, since: k.since } : h;
  });
}

async function fleetWithMonitor(env: AppEnv["Bindings"], at: number) {
  const [fleet, ledger] = await Promise.all([loadFleet(env.SEATWATCH_KV, at), ledgerStub(env).status(at)]);
  return { fleet: withLedgerSince(fleet, ledger.hosts), monitor: ledger.monitor };
}

status.get("/v1/status", requireRead(), async (c) => {
  const at = now();
  const { fleet, monitor } = await fleetWithMonitor(c.env, at);
  const doc = statusDocument(fleet, monitor, at);
  if (wantsText(c.req.header("accept"), c.req.query("format"))) return c.text(statusTable(doc, fleet, at));
  return c.json(doc);
});

status.get("/v1/check", requireRead(), async (c) => {
  const { fleet, monitor } = await fleetWithMonitor(c.env, now());
  const answer = fleetCheck(fleet, monitor);
  return c.text(answer.text, answer.ok ? 200 : 503);
});
