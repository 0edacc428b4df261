/**
 * public/ (worker/faces/static-assets.ts) as committed and as served: the files on disk are what
 * the modules build today, and under `wrangler dev` each is served with its bytes, its `_headers`
 * and an ETag, publicly — by the Worker's own copy of the asset layer there (routes/assets.ts);
 * the deployed asset layer itself needs a Cloudflare account, so it is not run here. `/openapi.json` is
 * then checked by an independent OpenAPI 3.1 validator (@seriousme/openapi-schema-validator: the
 * OpenAPI Initiative's published JSON Schema for 3.1, plus reference resolution), which cannot run
 * inside workerd (it reads its schemas from disk).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assetPaths, staticAssets } from "../../worker/faces/static-assets.ts";
import { type LiveWorker, startLiveWorker } from "../support/live-worker.ts";

const PUBLIC = resolve(import.meta.dirname, "../../public");

describe("public/ on disk", () => {
  it("holds exactly the files the modules build today (else: npm run assets)", () => {
    const assets = staticAssets();
    expect(readdirSync(PUBLIC).sort()).toEqual(Object.keys(assets).sort());
    for (const [file, text] of Object.entries(assets)) {
      expect(readFileSync(join(PUBLIC, file), "utf8"), `public/${file} is stale: run npm run assets`).toBe(text);
    }
  });
});

let worker: LiveWorker;
let response: Response;
let document: Record<string, unknown>;

beforeAll(async () => {
  // A read token is set, so the document is shown to be public where the read API is not.
  worker = await startLiveWorker({ vars: { READ_TOKEN: "openapi-read-token" } });
  response = await worker.fetch("/openapi.json");
  document = (await response.clone().json()) as Record<string, unknown>;
}, 90_000);

afterAll(async () => {
  await worker?.stop();
});

describe("public/ under wrangler dev", () => {
  it("serves every file without the read token, with its bytes, a content type and an ETag that answers 304", async () => {
    const assets = staticAssets();
    for (const path of assetPaths()) {
      const res = await worker.fetch(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toMatch(
        /^(text\/css|text\/javascript|application\/javascript|image\/svg\+xml|application\/json)/,
      );
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(await res.text(), path).toBe(assets[path.slice(1)]);
      const tag = res.headers.get("etag") ?? "";
      expect(tag, path).not.toBe("");
      expect((await worker.fetch(path, { headers: { "if-none-match": tag } })).status, path).toBe(304);
    }
    expect(assetPaths()).toEqual(
      expect.arrayContaining(["/dashboard.css", "/host.css", "/dashboard.js", "/openapi.json"]),
    );
  });

  it("lets tools on any origin read /openapi.json, never serves _headers, and leaves other paths to the app", async () => {
    expect((await worker.fetch("/openapi.json")).headers.get("access-control-allow-origin")).toBe("*");
    expect((await worker.fetch("/dashboard.css")).headers.get("access-control-allow-origin")).toBeNull();
    const config = await worker.fetch("/_headers");
    expect(await config.text()).not.toContain("Cache-Control");
    // The Worker answers: the read token is asked for, as for every read route.
    expect((await worker.fetch("/")).status).toBe(401);
  });
});

describe("GET /openapi.json under wrangler dev", () => {
  it("is served without the read token that /v1/status needs", async () => {
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect((await worker.fetch("/v1/status")).status).toBe(401);
  });

  it("is a valid OpenAPI 3.1 document, with every $ref resolving", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("the validator refuses the document with a dangling $ref or a parameter in no place", async () => {
    const dangling = JSON.parse(
      JSON.stringify(document).replace('"#/components/schemas/Monitor"', '"#/components/schemas/Nope"'),
    );
    expect((await new Validator().validate(dangling)).valid).toBe(false);
    const nowhere = JSON.parse(JSON.stringify(document).replace('"in":"query"', '"in":"nowhere"'));
    expect((await new Validator().validate(nowhere)).valid).toBe(false);
  });
});
