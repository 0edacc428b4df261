/**
 * `/openapi.json` from the real Worker under `wrangler dev`, checked by an independent OpenAPI 3.1
 * validator (@seriousme/openapi-schema-validator: the OpenAPI Initiative's published JSON Schema
 * for 3.1, plus reference resolution). It cannot run inside workerd (it reads its schemas from disk).
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LiveWorker, startLiveWorker } from "../support/live-worker.ts";

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
