import { describe, expect, it } from "vitest";
import { deliveries, receiverUrl } from "./alerting.ts";
import { admin, call, expectError } from "./helpers.ts";

interface Listed {
  webhooks: { name: string; url: string; secret: string; format: string; labels: string[] }[];
}

describe("PUT /v1/webhooks/:name", () => {
  it("creates a webhook, generates a whsec_ secret and returns it once", async () => {
    const res = await admin("PUT", "/v1/webhooks/ops", { url: receiverUrl("ops") });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { secret: string; format: string; labels: string[] };
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(body).toMatchObject({ format: "json", labels: [] });
    const again = await admin("PUT", "/v1/webhooks/ops", { url: receiverUrl("ops") });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { secret: string }).secret).toBe("whsec_***");
  });

  it("keeps a given secret and never shows it in listings", async () => {
    const secret = `whsec_${btoa("0123456789abcdef0123456789abcdef")}`;
    const res = await admin("PUT", "/v1/webhooks/given", { url: receiverUrl("given"), secret });
    expect(((await res.json()) as { secret: string }).secret).toBe("whsec_***");
    const listed = (await (await admin("GET", "/v1/webhooks")).json()) as Listed;
    expect(JSON.stringify(listed)).not.toContain(secret.slice(6));
  });

  it("redacts the secret parts of URLs in listings", async () => {
    await admin("PUT", "/v1/webhooks/slackish", {
      url: "https://user:pw@hooks.example.com/services/T0001/B0002/XXXXSECRET?token=abc&x=1",
    });
    await admin("PUT", "/v1/webhooks/ntfyish", { url: "https://ntfy.example.com/my-private-topic" });
    const listed = (await (await admin("GET", "/v1/webhooks")).json()) as Listed;
    const url = (name: string) => listed.webhooks.find((w) => w.name === name)?.url;
    expect(url("slackish")).toBe("https://***@hooks.example.com/services/***/***/***?token=***&x=***");
    expect(url("ntfyish")).toBe("https://ntfy.example.com/***");
    expect(JSON.stringify(listed)).not.toMatch(/SECRET|private-topic|abc|pw@/);
  });

  it.each([
    [{ url: "ftp://example.com/hook" }, "https://"],
    [{ url: "not a url" }, "does not parse"],
    [{ url: "http://hooks.example.com/alert" }, "http:// is only for local receivers"],
    [{ url: "http://172.32.0.1/alert" }, "http:// is only for local receivers"],
    [{ url: "https://example.com", format: "xml" }, "format must be one of"],
    [{ url: "https://example.com", secret: "hunter2" }, "whsec_"],
    [{ url: "https://example.com", labels: ["Bad Label"] }, "labels"],
    [{ url: "https://example.com", colour: "red" }, 'unknown field "colour"'],
  ])("refuses %j with a 400 naming the fix", async (body, hint) => {
    const error = await expectError(await admin("PUT", "/v1/webhooks/bad", body), 400, "invalid_webhook");
    expect(error.message).toContain(hint);
    const listed = (await (await admin("GET", "/v1/webhooks")).json()) as Listed;
    expect(listed.webhooks.map((w) => w.name)).not.toContain("bad");
  });

  it("accepts http:// for loopback and private-network receivers", async () => {
    for (const url of [
      "http://127.0.0.1:9/h",
      "http://localhost/h",
      "http://[::1]/h",
      "http://10.1.2.3/h",
      "http://192.168.1.5/h",
      "http://nas.local/h",
    ]) {
      const res = await admin("PUT", "/v1/webhooks/local", { url });
      expect(res.status, url).toBeLessThan(300);
    }
    await admin("DELETE", "/v1/webhooks/local");
  });

  it("refuses an invalid name", async () => {
    await expectError(await admin("PUT", "/v1/webhooks/Bad!Name", { url: "https://x.test" }), 400, "invalid_webhook");
  });

  it("needs the admin token for every webhook call", async () => {
    await expectError(await call("/v1/webhooks"), 401, "unauthorized");
    await expectError(await admin("PUT", "/v1/webhooks/x", { url: "https://x.test" }, "wrong"), 401, "unauthorized");
    await expectError(await call("/v1/webhooks/ops/test", { method: "POST" }), 401, "unauthorized");
  });
});

describe("DELETE /v1/webhooks/:name", () => {
  it("removes the webhook, then answers 404", async () => {
    await admin("PUT", "/v1/webhooks/gone", { url: receiverUrl("gone") });
    expect((await admin("DELETE", "/v1/webhooks/gone")).status).toBe(204);
    await expectError(await admin("DELETE", "/v1/webhooks/gone"), 404, "unknown_webhook");
  });
});

describe("POST /v1/webhooks/:name/test", () => {
  it("delivers a signed test event now", async () => {
    await admin("PUT", "/v1/webhooks/pingme", { url: receiverUrl("pingme") });
    const res = await admin("POST", "/v1/webhooks/pingme/test");
    expect([res.status, await res.json()]).toEqual([200, { delivered: true, status: 200 }]);
    const [delivery] = await deliveries("pingme");
    expect(JSON.parse(delivery?.body ?? "{}")).toMatchObject({ type: "test", host: "fleet" });
    expect(delivery?.headers["webhook-signature"]).toMatch(/^v1,/);
  });

  it("answers 502 with the receiver's answer when it fails, and that is not an undelivered alert", async () => {
    await admin("PUT", "/v1/webhooks/broken", { url: receiverUrl("broken", "fail=5") });
    const error = await expectError(await admin("POST", "/v1/webhooks/broken/test"), 502, "delivery_failed");
    expect(error.message).toContain("HTTP 500");
    const listed = (await (await admin("GET", "/v1/webhooks")).json()) as {
      webhooks: { name: string; undeliveredCount: number }[];
    };
    expect(listed.webhooks.find((w) => w.name === "broken")?.undeliveredCount).toBe(0);
  });

  it("answers 404 for an unknown webhook", async () => {
    await expectError(await admin("POST", "/v1/webhooks/nobody/test"), 404, "unknown_webhook");
  });
});
