/**
 * `npm run assets`: writes public/ (the files Cloudflare's asset layer serves, listed in
 * worker/faces/static-assets.ts) and removes any file there that the list no longer names. Run it
 * after changing a page's style or script, or anything `/openapi.json` is built from; the test
 * test/faces/static-assets.test.ts fails until you do.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { staticAssets } from "../worker/faces/static-assets.ts";

const PUBLIC = resolve(import.meta.dirname, "../public");
const assets = staticAssets();
mkdirSync(PUBLIC, { recursive: true });
for (const file of readdirSync(PUBLIC)) if (!(file in assets)) rmSync(join(PUBLIC, file));
for (const [file, text] of Object.entries(assets)) writeFileSync(join(PUBLIC, file), text);
console.log(`assets: wrote ${Object.keys(assets).length} files to public/`);
