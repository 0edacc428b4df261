/**
 * Issue 12 item 3: one token, one key. The token is burned in the ledger, in one synchronous
 * step, before any key is written, so of N concurrent enrollments with one token exactly one wins.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { generateKeyPair, type KeyPair } from "../../protocol/keys.ts";
import { signV1a } from "../../protocol/signing.ts";
import { enroll } from "../../worker/fleet/enrollment.ts";
import { ApiError } from "../../worker/http/errors.ts";
import { ledgerStub } from "../../worker/ledger/ledger.ts";
import { admin, BASE, call, sendBeat } from "./helpers.ts";

async function issue(id: string): Promise<string> {
  const res = await admin("POST", `/v1/hosts/${id}/enrollment`, {});
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

async function enrollRequest(host: string, token: string, keys: KeyPair): Promise<Request> {
  const body = JSON.stringify({ host, publicKey: keys.publicKey, token });
  const headers = await signV1a(keys.privateKey, `enroll_${crypto.randomUUID()}`, Math.floor(Date.now() / 1000), body);
  return new Request(`${BASE}/v1/enroll`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body,
  });
}

async function enrollWith(host: string, token: string, keys: KeyPair): Promise<Response> {
  return call("/v1/enroll", await enrollRequest(host, token, keys));
}

/**
 * The real local KV, with a production-like round trip on every call. Locally KV answers so fast
 * that concurrent requests barely overlap; in production each call is a network hop, which is
 * where two enrollments both read "unused" before either writes.
 */
function slowKv(kv: KVNamespace, ms = 20): KVNamespace {
  return new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe("N concurrent enrollments with one token", () => {
  it("let exactly one win even when KV is slow, so that every contender reads before any writes", async () => {
    const token = await issue("race-slow");
    const contenders = await Promise.all(Array.from({ length: 6 }, () => generateKeyPair()));
    const kv = slowKv(env.SEATWATCH_KV);
    const outcomes = await Promise.all(
      contenders.map(async (keys) => {
        try {
          await enroll(await enrollRequest("race-slow", token, keys), kv, ledgerStub(env), Date.now());
          return "enrolled";
        } catch (err) {
          if (err instanceof ApiError) return err.code;
          throw err;
        }
      }),
    );
    expect(outcomes.filter((o) => o === "enrolled")).toHaveLength(1);
    expect(outcomes.filter((o) => o !== "enrolled")).toEqual(Array(contenders.length - 1).fill("token_used"));
    const winner = contenders[outcomes.indexOf("enrolled")] as KeyPair;
    expect((await sendBeat({ id: "race-slow", keys: winner })).status).toBe(202);
  });

  it("let exactly one win; the others get 409 token_used, and only the winner's key signs accepted beats", async () => {
    const token = await issue("race-enroll");
    const contenders = await Promise.all(Array.from({ length: 8 }, () => generateKeyPair()));
    const answers = await Promise.all(contenders.map((keys) => enrollWith("race-enroll", token, keys)));
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    const losers = answers.filter((res) => res.status !== 200);
    for (const res of losers) {
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("token_used");
    }
    const winner = contenders[statuses.indexOf(200)] as KeyPair;
    expect((await sendBeat({ id: "race-enroll", keys: winner })).status).toBe(202);
    for (const keys of contenders.filter((k) => k !== winner)) {
      expect((await sendBeat({ id: "race-enroll", keys })).status).toBe(401);
    }
  });
});
