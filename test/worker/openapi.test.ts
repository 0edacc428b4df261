import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../protocol/answers.ts";
import { assetPaths } from "../../worker/faces/static-assets.ts";
import { app } from "../../worker/index.ts";
import { ASSET_ROUTE } from "../../worker/routes/asset-route.ts";
import { receiverUrl } from "./alerting.ts";
import { admin, call, enroll, makeBeat, sendBeat } from "./helpers.ts";
import { checkAnswer, DOC } from "./openapi-check.ts";

/**
 * `METHOD /path/{param}` for every route the Hono app serves (middleware is registered as ALL),
 * with the one route for public/'s files (served by the asset layer once deployed) as each file.
 */
function servedRoutes(): string[] {
  const routes = app.routes
    .filter((r) => r.method !== "ALL" && r.path !== ASSET_ROUTE)
    .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
  return [...new Set([...routes, ...assetPaths().map((path) => `GET ${path}`)])].sort();
}

function documentedRoutes(): string[] {
  return Object.entries(DOC.paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

function documentedCodes(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(documentedCodes);
  if (value === null || typeof value !== "object") return [];
  const obj = value as Record<string, unknown>;
  const code = (obj.code as { enum?: string[] } | undefined)?.enum ?? [];
  return [...code, ...Object.values(obj).flatMap(documentedCodes)];
}

describe("GET /openapi.json", () => {
  it("is public JSON with an ETag, and answers 304 when it still matches", async () => {
    const res = await call("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const tag = res.headers.get("etag");
    expect(tag).toBeTruthy();
    expect(((await res.json()) as { openapi: string }).openapi).toBe("3.1.0");
    const again = await call("/openapi.json", { headers: { "if-none-match": tag ?? "" } });
    expect(again.status).toBe(304);
  });

  it("has an asset route for public/'s files only: other names are the Worker's 404", async () => {
    expect(app.routes.some((r) => r.path === ASSET_ROUTE)).toBe(true);
    for (const path of ["/nope.css", "/_headers", "/openapi.yaml"]) expect((await call(path)).status, path).toBe(404);
  });

  it("documents every route the app serves, and only those", () => {
    // A route added to the Worker without a document (or a document left for a removed route) fails here.
    expect(documentedRoutes()).toEqual(servedRoutes());
    expect(servedRoutes().length).toBeGreaterThan(20);
  });

  it("lists every error code of protocol/answers.ts under some route", () => {
    expect([...new Set(documentedCodes(DOC.paths))].sort()).toEqual([...ERROR_CODES].sort());
  });
});

describe("answers validate against the document", () => {
  // helpers.ts checks every answer of every worker test the same way; these name the representative ones.
  it("status, host list and detail, a 202 beat, events and check", async () => {
    const host = await enroll("oa-one", { labels: ["oa"] });
    expect((await sendBeat(host, { seats: 2 })).status).toBe(202);
    for (const path of ["/v1/status", "/v1/hosts", "/v1/hosts/oa-one", "/v1/hosts/oa-one/events", "/v1/check"]) {
      expect((await call(path)).ok || path.endsWith("check")).toBe(true);
    }
    expect((await admin("PATCH", "/v1/hosts?label=oa", { paused: true })).status).toBe(200);
    expect((await call("/v1/status?format=text")).headers.get("content-type")).toMatch(/^text\/plain/);
  });

  it("webhooks and enrollment", async () => {
    expect((await admin("PUT", "/v1/webhooks/oa-hook", { url: receiverUrl("oa-hook") })).status).toBe(201);
    expect((await admin("GET", "/v1/webhooks")).status).toBe(200);
    expect((await admin("POST", "/v1/hosts/oa-two/enrollment", { ttlSeconds: 600 })).status).toBe(201);
  });

  it("an error answer of each status class", async () => {
    const host = await enroll("oa-three");
    const statuses = [
      (await admin("PUT", "/v1/hosts/oa-three", { minSeats: -1 })).status,
      (await admin("GET", "/v1/webhooks", undefined, "wrong")).status,
      (await call("/v1/hosts/oa-nobody")).status,
      (await call("/v1/beats", { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" })).status,
      (await call("/v1/beats", { method: "POST", headers: { "content-length": "999999" }, body: "x" })).status,
    ];
    const beat = makeBeat({ host: host.id, ts: Date.now() - 1000, seq: 1 });
    expect((await sendBeat(host, beat)).status).toBe(202);
    statuses.push((await sendBeat(host, beat)).status);
    statuses.push((await call("/v1/nowhere")).status);
    expect(statuses).toEqual([400, 401, 404, 415, 413, 409, 404]);
  });

  it("a drifted answer fails the check: an undocumented field, a wrong type, an unlisted code or status", async () => {
    const answer = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    const status = (await (await call("/v1/status")).json()) as Record<string, unknown>;
    const url = "https://seatwatch.test/v1/status";
    await expect(checkAnswer("GET", url, answer(200, status))).resolves.toBeUndefined();
    await expect(checkAnswer("GET", url, answer(200, { ...status, surprise: 1 }))).rejects.toThrow(/undocumented/);
    await expect(checkAnswer("GET", url, answer(200, { ...status, generatedAt: 5 }))).rejects.toThrow(/generatedAt/);
    const replayed = { error: { code: "replayed", message: "not for this route" } };
    await expect(checkAnswer("GET", "https://seatwatch.test/v1/hosts/x", answer(404, replayed))).rejects.toThrow(
      /allowed values/,
    );
    await expect(checkAnswer("GET", url, answer(409, replayed))).rejects.toThrow(/not documented/);
  });
});
