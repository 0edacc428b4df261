/**
 * Host enrollment and policy changes made by the admin (DESIGN §5). Every change is validated
 * in full before the one KV write, so a rejected request writes nothing.
 */
import type { FieldError } from "../protocol/beat.ts";
import { describeHostIdProblem, hostIdProblem } from "../protocol/host.ts";
import { decodePublicKey } from "../protocol/keys.ts";
import { ApiError } from "./errors.ts";
import { forgetHost } from "./host-cache.ts";
import { DEFAULT_POLICY, type PolicyPatch, validatePolicyPatch } from "./policy.ts";
import { deleteHost, type HostConfig, readHost, writeHost } from "./store.ts";

export function checkHostId(id: string): void {
  const problem = hostIdProblem(id);
  if (problem === "reserved") throw new ApiError(400, "reserved_host", describeHostIdProblem(id, problem));
  if (problem) throw new ApiError(400, "invalid_host", describeHostIdProblem(id, problem));
}

function invalid(errors: FieldError[]): ApiError {
  return new ApiError(400, "invalid_policy", errors.map((e) => e.message).join("; "), errors);
}

function readPublicKey(body: Record<string, unknown>): string | null | undefined {
  if (!("publicKey" in body)) return undefined;
  const value = body.publicKey;
  if (value === null) return null;
  if (decodePublicKey(value) === null) {
    throw invalid([
      {
        field: "publicKey",
        message:
          "publicKey must be whpk_ followed by base64 of a 32-byte Ed25519 key (print it with `seatwatch-beacon keygen`), or null",
      },
    ]);
  }
  return value as string;
}

function parseChange(body: Record<string, unknown>): { publicKey: string | null | undefined; patch: PolicyPatch } {
  const result = validatePolicyPatch(body, ["publicKey"]);
  const publicKey = readPublicKey(body);
  if (!result.ok) throw invalid(result.errors);
  return { publicKey, patch: result.patch };
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
): Promise<{ host: HostConfig; created: boolean }> {
  checkHostId(id);
  const { publicKey, patch } = parseChange(body);
  const existing = await readHost(kv, id);
  const at = new Date(now).toISOString();
  const host: HostConfig = {
    id,
    publicKey: publicKey === undefined ? (existing?.publicKey ?? null) : publicKey,
    policy: { ...DEFAULT_POLICY, ...patch },
    epoch: existing?.epoch ?? crypto.randomUUID(),
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
  };
  await writeHost(kv, host);
  forgetHost(id);
  return { host, created: existing === null };
}

/** PATCH: change only the fields given. */
export async function patchHost(
  kv: KVNamespace,
  id: string,
  body: Record<string, unknown>,
  now: number,
): Promise<HostConfig> {
  checkHostId(id);
  const { publicKey, patch } = parseChange(body);
  const existing = await requireHost(kv, id);
  const host: HostConfig = {
    ...existing,
    publicKey: publicKey === undefined ? existing.publicKey : publicKey,
    policy: { ...existing.policy, ...patch },
    updatedAt: new Date(now).toISOString(),
  };
  await writeHost(kv, host);
  forgetHost(id);
  return host;
}

export async function removeHost(kv: KVNamespace, id: string): Promise<void> {
  checkHostId(id);
  await requireHost(kv, id);
  await deleteHost(kv, id);
  forgetHost(id);
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
