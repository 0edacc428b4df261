import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index.ts";
import { ledgerStub } from "../../worker/ledger/ledger.ts";
import { admin, BASE, call, enroll, expectError, kvSnapshot, sendBeat, TEST_ADMIN_TOKEN } from "./helpers.ts";

async function rejects(res: Response | Promise<Response>, status: number, code: string) {
  const before = await kvSnapshot();
  const error = await expectError(await res, status, code);
  expect(await kvSnapshot()).toEqual(before);
  return error;
}

describe("admin authentication", () => {
  it("refuses admin calls without a token or with a wrong one, writing nothing", async () => {
    await rejects(call("/v1/hosts/box-a", { method: "PUT", body: "{}" }), 401, "unauthorized");
    await rejects(admin("PUT", "/v1/hosts/box-a", {}, "wrong-token"), 401, "unauthorized");
    await rejects(admin("PATCH", "/v1/hosts/box-a", {}, "wrong-token"), 401, "unauthorized");
    await rejects(admin("DELETE", "/v1/hosts/box-a", undefined, "wrong-token"), 401, "unauthorized");
  });

  it("refuses every admin call while ADMIN_TOKEN is unset, even with a token", async () => {
    const request = new Request(`${BASE}/v1/hosts/box-a`, {
      method: "PUT",
      headers: { authorization: "Bearer anything" },
      body: "{}",
    });
    const open = { ...env, ADMIN_TOKEN: undefined };
    const error = await rejects(worker.fetch(request, open, createExecutionContext()), 401, "admin_disabled");
    expect(error.message).toContain("ADMIN_TOKEN");
  });
});

describe("PUT /v1/hosts/:id", () => {
  it("creates a host with the default policy and never shows its key", async () => {
    const res = await admin("PUT", "/v1/hosts/web-1", {});
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: "web-1",
      state: "new",
      keyRegistered: false,
      policy: {
        minSeats: 1,
        graceSeconds: 300,
        alertAfter: 0,
        repeatEvery: 21600,
        labels: [],
        paused: false,
        pausedUntil: null,
      },
    });
  });

  it("replaces the policy on a second PUT and keeps the registered key", async () => {
    const host = await enroll("web-2", { minSeats: 4 });
    const res = await admin("PUT", "/v1/hosts/web-2", { graceSeconds: 600 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ keyRegistered: true, policy: { minSeats: 1, graceSeconds: 600 } });
    expect((await sendBeat(host)).status).toBe(202);
  });

  it.each([["Web-1"], ["wéb"], ["a..b"], ["x".repeat(64)], ["-web"]])("refuses the host id %j", async (id) => {
    await rejects(admin("PUT", `/v1/hosts/${encodeURIComponent(id)}`, {}), 400, "invalid_host");
  });

  it("refuses the reserved id fleet", async () => {
    await rejects(admin("PUT", "/v1/hosts/fleet", {}), 400, "reserved_host");
  });

  it.each([
    [{ minSeats: -1 }, "minSeats"],
    [{ graceSeconds: 29 }, "graceSeconds"],
    [{ graceSeconds: 86_401 }, "graceSeconds"],
    [{ repeatEvery: 30 }, "repeatEvery"],
    [{ labels: ["UPPER"] }, "labels"],
    [{ labels: ["a", "b", "c", "d", "e", "f", "g", "h", "i"] }, "labels"],
    [{ paused: "yes" }, "paused"],
    [{ pausedUntil: "tomorrow" }, "pausedUntil"],
    // Shaped like a time, yet no such time: Date.parse would roll each over to another day.
    [{ pausedUntil: "2027-02-30T00:00:00Z" }, "pausedUntil"],
    [{ pausedUntil: "2027-01-01T24:00:00Z" }, "pausedUntil"],
    [{ pausedUntil: "0000-01-01T00:00:00Z" }, "pausedUntil"],
    [{ pausedUntil: "2027-01-01T00:00:00+15:00" }, "pausedUntil"],
    [{ minseats: 2 }, "minseats"],
    [{ publicKey: "ssh-ed25519 AAAA" }, "publicKey"],
  ])("refuses the policy %j, naming %s", async (body, field) => {
    const error = await rejects(admin("PUT", "/v1/hosts/web-3", body), 400, "invalid_policy");
    expect(error.message).toContain(field);
  });

  it("keeps pausedUntil as unix ms and answers it in ISO 8601", async () => {
    const res = await admin("PUT", "/v1/hosts/web-5", { pausedUntil: "2030-01-01T02:00:00+02:00" });
    expect(await res.json()).toMatchObject({ policy: { pausedUntil: "2030-01-01T00:00:00.000Z" } });
    const stored = JSON.parse((await kvSnapshot())["cfg:web-5"]?.value ?? "null");
    expect(stored.policy.pausedUntil).toBe(Date.parse("2030-01-01T00:00:00Z"));
  });

  it("refuses a body that is not a JSON object", async () => {
    await rejects(
      call("/v1/hosts/web-4", { method: "PUT", headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, body: "[" }),
      400,
      "invalid_json",
    );
  });
});

describe("PATCH and DELETE /v1/hosts/:id", () => {
  it("changes only the given fields", async () => {
    await enroll("db-1", { minSeats: 3, labels: ["db"] });
    const res = await admin("PATCH", "/v1/hosts/db-1", { graceSeconds: 900 });
    expect(await res.json()).toMatchObject({ policy: { minSeats: 3, graceSeconds: 900, labels: ["db"] } });
  });

  it("answers 404 for an unknown host", async () => {
    await rejects(admin("PATCH", "/v1/hosts/ghost", { minSeats: 2 }), 404, "unknown_host");
    await rejects(admin("DELETE", "/v1/hosts/ghost"), 404, "unknown_host");
  });

  it("deletes a host and its beats, and refuses its beats from then on", async () => {
    const host = await enroll("db-2");
    expect((await sendBeat(host)).status).toBe(202);
    expect((await admin("DELETE", "/v1/hosts/db-2")).status).toBe(204);
    expect(Object.keys(await kvSnapshot()).filter((k) => k.endsWith(":db-2"))).toEqual([]);
    await expectError(await sendBeat(host, { ts: Date.now() + 1 }), 401, "invalid_signature");
    await expectError(await call("/v1/hosts/db-2"), 404, "unknown_host");
  });

  it("can be retried after the ledger fails: the host stays until the ledger has forgotten it", async () => {
    // Given a host, and a ledger that fails the first time it is asked to forget one.
    await enroll("db-3");
    let failures = 1;
    const ledgerFailingOnce = {
      getByName: (name: string) => ({
        forget: (id: string, epoch: string) =>
          failures-- > 0
            ? Promise.reject(new Error("ledger unavailable"))
            : env.LEDGER.getByName(name).forget(id, epoch),
      }),
    } as unknown as typeof env.LEDGER;
    const remove = () =>
      worker.fetch(
        new Request(`${BASE}/v1/hosts/db-3`, {
          method: "DELETE",
          headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        }),
        { ...env, LEDGER: ledgerFailingOnce },
        createExecutionContext(),
      );
    const log = console.error;
    console.error = () => {};
    let first: Response;
    try {
      first = await remove();
    } finally {
      console.error = log;
    }

    // When the DELETE fails, then is retried.
    await expectError(first, 500, "internal_error");
    expect((await call("/v1/hosts/db-3")).status).toBe(200);
    const retried = await remove();

    // Then the retry completes: the host is gone, and the ledger buried it.
    expect(retried.status).toBe(204);
    await expectError(await call("/v1/hosts/db-3"), 404, "unknown_host");
    const buried = await runInDurableObject(ledgerStub(env), (_ledger, state) =>
      state.storage.sql.exec("SELECT host FROM tombstones WHERE host = 'db-3'").toArray(),
    );
    expect(buried).toHaveLength(1);
  });
});

describe("errors", () => {
  it("answers unknown routes with a JSON 404", async () => {
    await expectError(await call("/v2/nothing"), 404, "not_found");
  });

  it("answers an unexpected failure with a JSON 500 naming a request id and no stack", async () => {
    // A KV outage cannot be produced with the real local binding, so this one fake stands in for it.
    const failingKv = new Proxy(env.SEATWATCH_KV, {
      get: () => () => Promise.reject(new Error("simulated KV outage at /internal/path.ts:12")),
    });
    const errors: unknown[] = [];
    const log = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const request = new Request(`${BASE}/v1/status`, { headers: { "cf-ray": "ray-123" } });
      const res = await worker.fetch(request, { ...env, SEATWATCH_KV: failingKv }, createExecutionContext());
      const error = await expectError(res, 500, "internal_error");
      expect(error.message).toContain("ray-123");
      expect(error.message).not.toContain("internal/path");
    } finally {
      console.error = log;
    }
    expect(JSON.stringify(errors)).toContain("ray-123");
  });
});
