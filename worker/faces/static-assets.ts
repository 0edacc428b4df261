/**
 * The files of public/: the pages' stylesheets, script and icon, and `/openapi.json`. Once
 * deployed (`npm run deploy`: `--assets public`) Cloudflare's asset layer serves them before the
 * Worker runs, so they cost the Worker neither bundle bytes (its 64 KiB gzip budget) nor
 * requests; under `wrangler dev` and in the tests the Worker serves the same files itself
 * (routes/assets.ts). They hold no fleet data, so they are public with READ_TOKEN set.
 *
 * Written by `npm run assets` (scripts/assets.ts) from the modules the pages and the validators
 * are built from; test/faces/static-assets.test.ts fails when public/ and this list disagree, so
 * a change to a schema, a style or the script cannot ship without its file.
 */
import { DASHBOARD_CSS, FAVICON_SVG } from "./dashboard-assets.ts";
import { HOST_CSS } from "./host-page-assets.ts";
import { PAGE_JS } from "./local-time.tsx";
import { openApiText } from "./openapi/document.ts";

/**
 * Cloudflare's `_headers` format: what the asset layer adds to each file's answer. The OpenAPI
 * document is for tools in any origin (Swagger UI, code generators); everything revalidates by
 * ETag so a deploy shows at once.
 */
const HEADERS = `/*
  Cache-Control: no-cache
  X-Content-Type-Options: nosniff
/openapi.json
  Access-Control-Allow-Origin: *
`;

let built: Record<string, string> | undefined;

/** Path under public/ → contents; built once, since everything in them is fixed when the Worker is. */
export function staticAssets(): Record<string, string> {
  built ??= {
    "dashboard.css": DASHBOARD_CSS,
    "host.css": HOST_CSS,
    "dashboard.js": PAGE_JS,
    "favicon.svg": FAVICON_SVG,
    "openapi.json": `${JSON.stringify(JSON.parse(openApiText()), null, 1)}\n`,
    _headers: HEADERS,
  };
  return built;
}

/** The URL paths the asset layer answers (`_headers` is configuration, never served). */
export function assetPaths(): string[] {
  return Object.keys(staticAssets())
    .filter((file) => !file.startsWith("_"))
    .map((file) => `/${file}`);
}
