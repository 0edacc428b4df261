/**
 * `enroll --token T` (DESIGN §5): registers this host's public key with a one-time enrollment token,
 * signing the request with the key being registered (proof that the host holds it). The admin
 * token never passes through the beacon: the admin issues the enrollment token elsewhere.
 */
import { TIMESTAMP_TOLERANCE_SECONDS } from "../protocol/limits.ts";
import { type Refusal, refusalOf, type WorkerClient } from "./push.ts";

export type EnrollResult =
  | { kind: "enrolled"; host: string; policy: unknown }
  | { kind: "refused"; status: number; code: string; message: string; explanation: string }
  | { kind: "unreachable"; message: string };

export async function enroll(
  client: WorkerClient,
  request: { host: string; publicKey: string; token: string },
): Promise<EnrollResult> {
  const reply = await client.post("/v1/enroll", JSON.stringify(request));
  if (reply.kind === "unreachable") return reply;
  const body = reply.json as { enrolled?: unknown; host?: unknown; policy?: unknown } | null;
  if (reply.status === 200 && body?.enrolled === true) {
    return { kind: "enrolled", host: typeof body.host === "string" ? body.host : request.host, policy: body.policy };
  }
  const refusal = refusalOf(reply.status, reply.json);
  return {
    kind: "refused",
    status: reply.status,
    code: refusal.code,
    message: refusal.message,
    explanation: explainEnrollRefusal(refusal, request),
  };
}

function explainEnrollRefusal(refusal: Refusal, request: { host: string; publicKey: string }): string {
  const issue = `the admin issues one with POST /v1/hosts/${request.host}/enrollment`;
  switch (refusal.known) {
    case "invalid_token":
      return `the token is unknown, expired, or was issued for another host than ${request.host} (check --host/SEATWATCH_HOST); ${issue}`;
    case "token_used":
      return `this token was already used; tokens are one-time, so ${issue}`;
    case "key_registered":
      return `host ${request.host} already has a key; replacing it needs the admin (PUT /v1/hosts/${request.host} with {"publicKey":"${request.publicKey}"})`;
    case "invalid_signature":
      return "the Worker could not verify the request with the key it carries: the key file may be damaged; run keygen into a new file";
    case "stale_timestamp":
      return `this host's clock is more than ${TIMESTAMP_TOLERANCE_SECONDS} s away from the Worker's: sync it (timedatectl set-ntp true, chrony) and retry`;
    case "rate_limited":
      return "too many requests from this address: retry in a minute";
    case "internal_error":
      return WORKER_FAILED;
    default:
      return !refusal.fromWorker && refusal.status >= 500
        ? WORKER_FAILED
        : "unexpected refusal; check the URL points at a seatwatch Worker";
  }
}

const WORKER_FAILED = "the Worker failed; retry, and check the Worker's logs if it persists";
