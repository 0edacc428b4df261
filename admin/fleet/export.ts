/**
 * `seatwatch export`: the running fleet as a file that `apply` accepts unchanged (DESIGN §9). Only
 * what the Worker reports is written, and only what differs from DESIGN §2's defaults; what the
 * listings hide (the secret parts of URLs, routing keys, tokens, Pushover user keys) becomes the
 * name of an environment variable, needed only when apply has to send that webhook again; the
 * signing secret is left out (without secretEnv, apply keeps the one the Worker has).
 */
import { stringify } from "yaml";
import { CREDENTIALS, isSecretCredential, type SecretCredential } from "../../protocol/webhooks.ts";
import { WINDOW_FIELDS } from "../maintenance.ts";
import { DEFAULT_POLICY, POLICY_FIELDS } from "../policy.ts";
import { HIDDEN, type RunningFleet } from "./running.ts";
import { envFieldOf } from "./spec.ts";

/** `chat-ops`, `routingKey` → `SEATWATCH_WEBHOOK_CHAT_OPS_ROUTING_KEY`. */
export function webhookEnvName(name: string, what: "url" | SecretCredential): string {
  const snake = (s: string) =>
    s
      .replace(/([a-z])([A-Z])/g, "$1_$2")
      .replace(/-/g, "_")
      .toUpperCase();
  return `SEATWATCH_WEBHOOK_${snake(name)}_${snake(what)}`;
}

export function exportFleet(running: RunningFleet): Record<string, unknown> {
  const hosts: Record<string, Record<string, unknown>> = {};
  for (const host of [...running.hosts].sort((a, b) => a.id.localeCompare(b.id))) {
    const policy: Record<string, unknown> = {};
    for (const field of POLICY_FIELDS) {
      if (!(field in host.policy)) continue;
      const value = host.policy[field];
      if (JSON.stringify(value) !== JSON.stringify(DEFAULT_POLICY[field])) policy[field] = value;
    }
    hosts[host.id] = policy;
  }
  const webhooks: Record<string, Record<string, unknown>> = {};
  for (const hook of [...running.webhooks].sort((a, b) => a.name.localeCompare(b.name))) {
    const out: Record<string, unknown> = {};
    if (hook.url.includes(HIDDEN)) out.urlEnv = webhookEnvName(hook.name, "url");
    else out.url = hook.url;
    out.format = hook.format;
    if (hook.labels.length > 0) out.labels = hook.labels;
    if (hook.states) out.states = hook.states;
    for (const credential of CREDENTIALS) {
      if (hook[credential] === undefined) continue;
      if (isSecretCredential(credential)) out[envFieldOf(credential)] = webhookEnvName(hook.name, credential);
      else out[credential] = hook[credential];
    }
    webhooks[hook.name] = out;
  }
  const doc: Record<string, unknown> = { hosts, webhooks };
  if (running.maintenance !== null) {
    const maintenance: Record<string, Record<string, unknown>> = {};
    for (const window of [...running.maintenance].sort((a, b) => a.name.localeCompare(b.name))) {
      const out: Record<string, unknown> = {};
      for (const field of WINDOW_FIELDS) {
        const value = window[field];
        if (value === undefined || value === null || (Array.isArray(value) && value.length === 0) || value === "")
          continue;
        out[field] = value;
      }
      maintenance[window.name] = out;
    }
    doc.maintenance = maintenance;
  }
  return doc;
}

export function fleetYaml(doc: Record<string, unknown>): string {
  return `# seatwatch fleet, exported ${new Date().toISOString()}; apply with: seatwatch apply -f FILE\n${stringify(doc)}`;
}
