/**
 * Host enrollment and policy changes made by the admin (DESIGN §5). Every change is validated
 * in full before the one KV write, so a rejected request writes nothing.
 */
import { describeHostIdProblem, hostIdProblem } from "../../protocol/host.ts";
import { decodePublicKey } from "../../protocol/keys.ts";
import { DEFAULT_POLICY, LABEL_PATTERN } from "../../protocol/policy.ts";
import { iso } from "../../protocol/time.ts";
import type { FieldError, Validation } from "../../protocol/validation.ts";
import { ApiError, invalidFields } from "../http/errors.ts";
import { forgetHost } from "./host-cache.ts";
import { type PolicyPatch, validatePolicyPatch } from "./policy.ts";
import type { HostConfig } from "./records.ts";
import { deleteHost, listHosts, readHost, readKey, writeHost, writeKey } from "./store.ts";

export function checkHostId(id: string): void {
  const problem = hostIdProblem(id);
  if (problem === "reserved") throw new ApiError(400, "reserved_host", describeHostIdProblem(id, problem));
  if (problem) throw new ApiError(400, "invalid_host", describeHostIdProblem(id, problem));
}

const PUBLIC_KEY_ERROR: FieldError = {
  field: "publicKey",
  message:
    "publicKey must be whpk_ followed by base64 of a 32-byte Ed25519 key (print it with `seatwatch-beacon keygen`), or null",
};

interface HostChange {
  /** Absent: keep the registered key; null: remove it. */
  publicKey: string | null | undefined;
  patch: PolicyPatch;
}

/** An admin PUT/PATCH body: policy fields and optionally the host's public key. */
function validateHostChange(body: Record<string, unknown>): Validation<HostChange> {
  const policy = validatePolicyPatch(body, ["publicKey"]);
  const publicKey = body.publicKey as string | null | undefined;
  const keyOk = publicKey === undefined || publicKey === null || decodePublicKey(publicKey) !== null;
  const errors = [...(keyOk ? [] : [PUBLIC_KEY_ERROR]), ...(policy.ok ? [] : policy.errors)];
  if (!policy.ok || !keyOk) return { ok: false, errors };
  return { ok: true, value: { publicKey, patch: policy.value } };
}

function parseChange(body: Record<string, unknown>): HostChange {
  const change = validateHostChange(body);
  if (!change.ok) throw invalidFields("invalid_policy", change.errors);
  return change.value;
}

/** Whether the host has a key after the change: set or removed when given, else as registered. */
async function applyKey(kv: KVNamespace, host: HostConfig, publicKey: string | null | undefined): Promise<boolean> {
  if (publicKey === undefined) return (await readKey(kv, host)) !== null;
  await writeKey(kv, host, publicKey);
  return publicKey !== null;
}

export interface Changed {
  host: HostConfig;
  keyRegistered: boolean;
}

/**
 * PUT: create the host, or replace its policy (omitted fields return to their defaults).
 * An omitted publicKey keeps the registered key; `null` removes it.
 */
export async function putHost(
  kv: KVNamespace,
  id: string,
  body: Record<string, unknown>,
  now: number,
): Promise<Changed & { created: boolean }> {
  checkHostId(id);
  const { publicKey, patch } = parseChange(body);
  const existing = await readHost(kv, id);
  const at = iso(now);
  const host: HostConfig = {
    id,
    policy: { ...DEFAULT_POLICY, ...patch },
    epoch: existing?.epoch ?? crypto.randomUUID(),
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
  };
  await writeHost(kv, host);
  const keyRegistered = await applyKey(kv, host, publicKey);
  forgetHost(id);
  return { host, keyRegistered, created: existing === null };
}

function patched(existing: HostConfig, patch: PolicyPatch, now: number): HostConfig {
  return { ...existing, policy: { ...existing.policy, ...patch }, updatedAt: iso(now) };
}

/** PATCH: change only the fields given. */
export async function patchHost(
  kv: KVNamespace,
  id: string,
  body: Record<string, unknown>,
  now: number,
): Promise<Changed> {
  checkHostId(id);
  const { publicKey, patch } = parseChange(body);
  const host = patched(await requireHost(kv, id), patch, now);
  await writeHost(kv, host);
  const keyRegistered = await applyKey(kv, host, publicKey);
  forgetHost(id);
  return { host, keyRegistered };
}

/**
 * Hosts one label patch may change: each costs a KV read and a write, and a Worker invocation
 * may make 1,000 KV operations. A bigger group is split into smaller labels.
 */
export const MAX_LABEL_PATCH = 400;

/**
 * PATCH ?label=L: the same policy change for every host carrying L (e.g. a maintenance pause).
 * The body is validated once, before any write, so a rejected request writes nothing. KV has no
 * transactions: if KV itself fails part-way, the hosts already written keep the change, and
 * repeating the request is safe.
 */
export async function patchLabel(
  kv: KVNamespace,
  label: string | undefined,
  body: Record<string, unknown>,
  now: number,
): Promise<HostConfig[]> {
  if (label === undefined || !LABEL_PATTERN.test(label)) {
    throw new ApiError(
      400,
      "invalid_request",
      `name the hosts by label: PATCH /v1/hosts?label=<label>, a label matching [a-z0-9_-]{1,32} (got ${JSON.stringify(label ?? null)})`,
    );
  }
  const result = validatePolicyPatch(body);
  if (!result.ok) throw invalidFields("invalid_policy", result.errors);
  const listed = await listHosts(kv);
  const ids = listed.filter((h) => h.meta.policy.labels.includes(label)).map((h) => h.id);
  if (ids.length === 0) {
    const inUse = [...new Set(listed.flatMap((h) => h.meta.policy.labels))].sort();
    throw new ApiError(
      404,
      "unknown_label",
      `no host carries label ${JSON.stringify(label)}; labels in use: ${inUse.length > 0 ? inUse.join(", ") : "none"}`,
    );
  }
  if (ids.length > MAX_LABEL_PATCH) {
    throw new ApiError(
      400,
      "invalid_request",
      `label ${JSON.stringify(label)} is on ${ids.length} hosts; one request changes at most ${MAX_LABEL_PATCH}: give the hosts narrower labels and patch each`,
    );
  }
  const existing = (await Promise.all(ids.map((id) => readHost(kv, id)))).filter((h) => h !== null);
  const hosts = existing.map((h) => patched(h, result.value, now));
  await Promise.all(hosts.map((h) => writeHost(kv, h)));
  for (const h of hosts) forgetHost(h.id);
  return hosts;
}

/**
 * DELETE: `forget` (the ledger, which needs the host's epoch) runs before the config goes. The
 * other way round, a ledger call that failed left no config for a retried DELETE to find: 404,
 * and the ledger kept the host's rows, reminders and holds for good.
 */
export async function removeHost(
  kv: KVNamespace,
  id: string,
  forget: (host: HostConfig) => Promise<void>,
): Promise<HostConfig> {
  checkHostId(id);
  const host = await requireHost(kv, id);
  await forget(host);
  await deleteHost(kv, id);
  forgetHost(id);
  return host;
}

export async function requireHost(kv: KVNamespace, id: string): Promise<HostConfig> {
  const host = await readHost(kv, id);
  if (!host)
    throw new ApiError(
      404,
      "unknown_host",
      `no host ${JSON.stringify(id)} is enrolled; create it with PUT /v1/hosts/${id}`,
    );
  return host;
}
