/**
 * public/'s files served by the Worker itself, as the asset layer serves them once deployed (same
 * bytes, content types, `_headers`, ETag and 304): only in builds where SEATWATCH_SERVES_ASSETS
 * is true — `wrangler dev` and the tests. worker/index.ts imports this lazily from a branch the
 * deploy build drops, so none of it (nor the OpenAPI builder) is in the deployed bundle.
 */
import type { Context } from "hono";
import { staticAssets } from "../faces/static-assets.ts";

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  svg: "image/svg+xml",
  json: "application/json",
};

/** `_headers` read the way the asset layer reads it: a path (or `/*`) line, then indented `Name: value` lines. */
function headersFor(path: string, rules: string): Record<string, string> {
  const headers: Record<string, string> = {};
  let applies = false;
  for (const line of rules.split("\n")) {
    if (line.trim() === "") continue;
    if (!/^\s/.test(line)) applies = line === "/*" || line === path;
    else if (applies) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
  }
  return headers;
}

let tags: Map<string, string> | undefined;

async function etagOf(file: string, text: string): Promise<string> {
  tags ??= new Map();
  let tag = tags.get(file);
  if (tag === undefined) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    tag = `"${[...new Uint8Array(digest).slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("")}"`;
    tags.set(file, tag);
  }
  return tag;
}

/** The file `c.req.path` names, or null when public/ has no such file. */
export async function serveAsset(c: Context): Promise<Response | null> {
  const assets = staticAssets();
  const file = c.req.path.slice(1);
  const text = file.startsWith("_") ? undefined : assets[file];
  const type = TYPES[file.slice(file.lastIndexOf(".") + 1)];
  if (text === undefined || type === undefined) return null;
  const etag = await etagOf(file, text);
  const headers = { ...headersFor(c.req.path, assets._headers ?? ""), "content-type": type, etag };
  if (c.req.header("if-none-match") === etag) return new Response(null, { status: 304, headers });
  return new Response(text, { headers });
}
