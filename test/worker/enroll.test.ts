import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { generateKeyPair, type KeyPair } from "../../protocol/keys.ts";
import { signV1a } from "../../protocol/signing.ts";
import { enroll } from "../../worker/fleet/enrollment.ts";
import { ledgerStub } from "../../worker/ledger/ledger.ts";
import { admin, BASE, call, expectError, kvSnapshot, sendBeat } from "./helpers.ts";

afterEach(() => {
  vi.useRealTimers();
});

async function issue(id: string, body: Record<string, unknown> = {}): Promise<{ token: string; expiresAt: string }> {
  const res = await admin("POST", `/v1/hosts/${id}/enrollment`, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { token: string; expiresAt: string };
}

async function enrollWith(host: string, token: string, keys: KeyPair, signer: KeyPair = keys): Promise<Response> {
  const body = JSON.stringify({ host, publicKey: keys.publicKey, token });
  const headers = await signV1a(
    signer.privateKey,
    `enroll_${crypto.randomUUID()}`,
    Math.floor(Date.now() / 1000),
    body,
  );
  return call("/v1/enroll", { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
}

async function rejects(res: Promise<Response>, status: number, code: string) {
  const before = await kvSnapshot();
  await expectError(await res, status, code);
  expect(await kvSnapshot()).toEqual(before);
}

describe("enrollment tokens", () => {
  it("issues a token that expires in 24 h by default and creates the host as new", async () => {
    vi.setSystemTime(Date.parse("2026-11-25T08:00:00Z"));
    const { token, expiresAt } = await issue("e-new");
    expect(token).toMatch(/^swe_[A-Za-z0-9_-]{32}$/);
    expect(expiresAt).toBe("2026-11-26T08:00:00.000Z");
    expect(JSON.stringify(await kvSnapshot())).not.toContain(token);
    expect(await (await call("/v1/hosts/e-new")).json()).toMatchObject({ state: "new", keyRegistered: false });
  });

  it("registers the key signed with it, burns the token, and the host's beats are then accepted", async () => {
    const { token } = await issue("e-ok");
    const keys = await generateKeyPair();
    const res = await enrollWith("e-ok", token, keys);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ enrolled: true, host: "e-ok" });
    expect((await sendBeat({ id: "e-ok", keys })).status).toBe(202);
    await rejects(enrollWith("e-ok", token, await generateKeyPair()), 409, "token_used");
  });

  it("writes only the host's key, so it cannot undo an admin change made while it ran", async () => {
    const { token } = await issue("e-single");
    await admin("PATCH", "/v1/hosts/e-single", { minSeats: 3 });
    const config = (await kvSnapshot())["cfg:e-single"];
    const keys = await generateKeyPair();
    expect((await enrollWith("e-single", token, keys)).status).toBe(200);
    const after = await kvSnapshot();
    expect(after["cfg:e-single"]).toEqual(config);
    expect(after["key:e-single"]?.value).toBe(keys.publicKey);
  });

  it("refuses a token issued for another host", async () => {
    const { token } = await issue("e-a");
    await issue("e-b");
    await rejects(enrollWith("e-b", token, await generateKeyPair()), 401, "invalid_token");
  });

  it("refuses an expired token", async () => {
    vi.setSystemTime(Date.parse("2026-11-25T08:00:00Z"));
    const { token } = await issue("e-exp", { ttlSeconds: 600 });
    vi.setSystemTime(Date.parse("2026-11-25T08:10:00Z"));
    await rejects(enrollWith("e-exp", token, await generateKeyPair()), 401, "invalid_token");
  });

  it("refuses an unknown token", async () => {
    await issue("e-unknown");
    await rejects(enrollWith("e-unknown", "swe_guess", await generateKeyPair()), 401, "invalid_token");
  });

  it("refuses a request not signed by the key it registers", async () => {
    const { token } = await issue("e-sig");
    await rejects(
      enrollWith("e-sig", token, await generateKeyPair(), await generateKeyPair()),
      401,
      "invalid_signature",
    );
  });

  it("refuses to replace a registered key; that needs the admin", async () => {
    const first = await generateKeyPair();
    await admin("PUT", "/v1/hosts/e-keyed", { publicKey: first.publicKey });
    const { token } = await issue("e-keyed");
    await rejects(enrollWith("e-keyed", token, await generateKeyPair()), 409, "key_registered");
  });

  it("never accepts the admin token in place of an enrollment token", async () => {
    await issue("e-admin");
    const { TEST_ADMIN_TOKEN } = await import("./helpers.ts");
    await rejects(enrollWith("e-admin", TEST_ADMIN_TOKEN, await generateKeyPair()), 401, "invalid_token");
  });

  it("needs the admin token to issue a token", async () => {
    await rejects(admin("POST", "/v1/hosts/e-x/enrollment", {}, "wrong"), 401, "unauthorized");
  });
});

describe("an enrollment racing the host's deletion", () => {
  it("registers no key for the host re-created after it: the old key is refused, a new token enrolls", async () => {
    const id = "e-orphan";
    const { token } = await issue(id);
    const keys = await generateKeyPair();
    // The enrollment's read of key:<id> waits (a KV round trip from a distant edge) while the admin deletes the host.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reached = () => {};
    const atRead = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const real = env.SEATWATCH_KV;
    const slowKv = new Proxy(real, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== "function") return value;
        return async (...args: unknown[]) => {
          if (prop === "getWithMetadata" && args[0] === `key:${id}`) {
            reached();
            await held;
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const body = JSON.stringify({ host: id, publicKey: keys.publicKey, token });
    const headers = await signV1a(keys.privateKey, "enroll_race", Math.floor(Date.now() / 1000), body);
    const request = new Request(`${BASE}/v1/enroll`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
    });
    const enrolling = enroll(request, slowKv, ledgerStub(env), Date.now());
    await atRead;
    expect((await admin("DELETE", `/v1/hosts/${id}`)).status).toBe(204);
    release();
    await enrolling; // it finishes: its write lands after the delete

    expect((await admin("PUT", `/v1/hosts/${id}`, {})).status).toBe(201);
    expect(await (await call(`/v1/hosts/${id}`)).json()).toMatchObject({ keyRegistered: false, state: "new" });
    await expectError(await sendBeat({ id, keys }), 401, "invalid_signature");
    const fresh = await generateKeyPair();
    expect((await enrollWith(id, (await issue(id)).token, fresh)).status).toBe(200);
    expect((await sendBeat({ id, keys: fresh })).status).toBe(202);
  });
});
