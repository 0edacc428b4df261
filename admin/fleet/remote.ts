/** Reading the running fleet from the Worker and writing a plan to it: apply's and export's I/O. */
import { type Api, ApiRefused } from "../client.ts";
import type { Change } from "./plan.ts";
import type { RunningFleet, RunningHost, RunningWebhook, RunningWindow } from "./running.ts";

/** Reads hosts, webhooks and maintenance windows (three GETs); a Worker without maintenance says 404. */
export async function readRunning(api: Api): Promise<RunningFleet> {
  const [hosts, webhooks, maintenance] = await Promise.all([
    api.request<{ hosts: RunningHost[] }>("GET", "/v1/hosts", { auth: "read" }),
    api.request<{ webhooks: RunningWebhook[] }>("GET", "/v1/webhooks", { auth: "admin" }),
    readMaintenance(api),
  ]);
  return {
    hosts: hosts.body.hosts.map((h) => ({ id: h.id, policy: h.policy })),
    webhooks: webhooks.body.webhooks,
    maintenance,
  };
}

export async function readMaintenance(api: Api): Promise<RunningWindow[] | null> {
  try {
    return (await api.request<{ maintenance: RunningWindow[] }>("GET", "/v1/maintenance", { auth: "admin" })).body
      .maintenance;
  } catch (error) {
    if (error instanceof ApiRefused && error.status === 404 && error.code === "not_found") return null;
    throw error;
  }
}

export interface Applied {
  change: Change;
  /** A secret the Worker generated for a new webhook: shown this once. */
  secret?: string;
}

/** Writes each change in plan order; the first refusal stops it (the caller reports what was done). */
export async function applyChanges(
  api: Api,
  changes: readonly Change[],
  onApplied: (applied: Applied) => void,
): Promise<void> {
  for (const change of changes) {
    const { method, path, body } = change.request;
    const answer = await api.request<Record<string, unknown> | null>(method, path, { auth: "admin", body });
    const secret = answer.body?.secret;
    onApplied(typeof secret === "string" && !secret.includes("***") ? { change, secret } : { change });
  }
}
