/**
 * public/'s files served by the Worker itself, as the asset layer serves them once deployed (same
 * bytes, content types, `_headers`, ETag and 304): only in builds where SEATWATCH_SERVES_ASSETS
 * is true — `wrangler dev` and the tests. worker/index.ts imports this lazily from a branch the
 * deploy build drops, so none of it (nor the OpenAPI builder) is in the deployed bundle.
 */
import type { Context } from "hono";
import { bytesToHex } from "../../protocol/base64.ts";
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

interface Served {
  body: string;
  headers: Record<string, string>;
}

let served: Promise<Map<string, Served>> | undefined;

/** Every servable file with its answer's headers, ETag included: computed once per isolate. */
function servedFiles(): Promise<Map<string, Served>> {
  served ??= (async () => {
    const assets = staticAssets();
    const files = new Map<string, Served>();
    for (const [file, body] of Object.entries(assets)) {
      const type = TYPES[file.slice(file.lastIndexOf(".") + 1)];
      if (file.startsWith("_") || type === undefined) continue;
      const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
      const etag = `"${bytesToHex(new Uint8Array(digest).slice(0, 16))}"`;
      files.set(file, {
        body,
        headers: { ...headersFor(`/${file}`, assets._headers ?? ""), "content-type": type, etag },
      });
    }
    return files;
  })();
  return served;
}

/** The file `c.req.path` names, or null when public/ has no such file. */
export async function serveAsset(c: Context): Promise<Response | null> {
  const file = (await servedFiles()).get(c.req.path.slice(1));
  if (!file) return null;
  if (c.req.header("if-none-match") === file.headers.etag)
    return new Response(null, { status: 304, headers: file.headers });
  return new Response(file.body, { headers: file.headers });
}
