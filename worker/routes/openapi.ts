import { Hono } from "hono";
import { etag } from "hono/etag";
import type { AppEnv } from "../env.ts";
import { openApiText } from "../faces/openapi/document.ts";

export const openapi = new Hono<AppEnv>();

// Public like the README: it describes the API, never the fleet. Fixed per deployment, so a
// client revalidates with the ETag and gets a 304.
openapi.get("/", etag(), (c) =>
  c.body(openApiText(), 200, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "public, max-age=300",
  }),
);
