/**
 * Issue 12 item 8: every input is checked strictly, and a refused one changes nothing. One test
 * per input the hostile review found taken loosely.
 */
import { describe, expect, it } from "vitest";
import { admin, call, enroll, expectError, kvSnapshot, sendBeat, TEST_ADMIN_TOKEN } from "./helpers.ts";

describe("webhook-timestamp", () => {
  it("is refused with 401 malformed_signature unless it is the canonical decimal the signature covers", async () => {
    const host = await enroll("strict-ts");
    const seconds = Math.floor(Date.now() / 1000);
    const before = await kvSnapshot();
    const res = await sendBeat(host, {}, { timestamp: seconds, headers: { "webhook-timestamp": `0${seconds}` } });
    await expectError(res, 401, "malformed_signature");
    expect(await kvSnapshot()).toEqual(before);
    expect((await sendBeat(host, {}, { timestamp: seconds })).status).toBe(202);
  });
});

async function adminRaw(method: string, path: string, body: string): Promise<Response> {
  return call(path, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, "content-type": "application/json" },
    body,
  });
}

describe("policy keys", () => {
  it("are checked as own keys: hasOwnProperty is an unknown field (400), not a stored policy", async () => {
    const before = await kvSnapshot();
    const error = await expectError(
      await admin("PUT", "/v1/hosts/strict-own", { hasOwnProperty: 1 }),
      400,
      "invalid_policy",
    );
    expect(error.message).toContain('unknown field "hasOwnProperty"');
    expect(await kvSnapshot()).toEqual(before);
  });

  it("refuse __proto__ with 400, not 500", async () => {
    const before = await kvSnapshot();
    await expectError(
      await adminRaw("PUT", "/v1/hosts/strict-proto", '{"__proto__": {"minSeats": 5}}'),
      400,
      "invalid_policy",
    );
    await expectError(await adminRaw("PATCH", "/v1/hosts?label=x", '{"__proto__": 1}'), 400, "invalid_policy");
    expect(await kvSnapshot()).toEqual(before);
  });

  it("with over-long values are 400 naming the field, for every field", async () => {
    const long = "x".repeat(7000);
    for (const field of ["minSeats", "graceSeconds", "alertAfter", "repeatEvery", "labels", "paused", "pausedUntil"]) {
      const error = await expectError(
        await admin("PUT", "/v1/hosts/strict-long", { [field]: long }),
        400,
        "invalid_policy",
      );
      expect(error.message, field).toContain(field);
    }
  });
});

describe("pausedUntil", () => {
  it('must be a full ISO 8601 date-time with a zone: "0", a bare date, a zoneless time and a six-digit year are 400', async () => {
    for (const value of [
      "0",
      "2026",
      "2026-12-01",
      "2026-12-01T06:00:00",
      "+275760-09-13T00:00:00.000Z",
      "Tue, 01 Dec 2026 06:00:00 GMT",
    ]) {
      const before = await kvSnapshot();
      await expectError(await admin("PUT", "/v1/hosts/strict-pause", { pausedUntil: value }), 400, "invalid_policy");
      expect(await kvSnapshot(), value).toEqual(before);
    }
  });

  it("takes Z and numeric offsets", async () => {
    for (const [value, iso] of [
      ["2026-12-01T06:00:00Z", "2026-12-01T06:00:00.000Z"],
      ["2026-12-01T07:00:00.5+01:00", "2026-12-01T06:00:00.500Z"],
    ]) {
      const res = await admin("PUT", "/v1/hosts/strict-pause-ok", { pausedUntil: value });
      expect(res.status, await res.clone().text()).toBeLessThan(300);
      expect(((await res.json()) as { policy: { pausedUntil: string } }).policy.pausedUntil).toBe(iso);
    }
  });
});

describe("POST /v1/enroll", () => {
  it("refuses a body other than application/json with 415 (application/json-seq included)", async () => {
    const res = await call("/v1/enroll", {
      method: "POST",
      headers: { "content-type": "application/json-seq" },
      body: "{}",
    });
    await expectError(res, 415, "unsupported_media_type");
  });

  it("judges size before signature: an oversize unsigned request is 413, not 401", async () => {
    const res = await call("/v1/enroll", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ host: "x", token: "t".repeat(10_000) }),
    });
    await expectError(res, 413, "payload_too_large");
  });
});
