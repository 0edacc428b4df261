/**
 * The Worker as `npm run deploy` would upload it (`wrangler deploy --dry-run --outdir` with the
 * deploy's flags: the same esbuild step, minified per wrangler.toml) stays inside its 64 KiB gzip budget — the Free plan's
 * script limit is 3 MiB, the budget is ours: cold starts and the cost of every isolate — and the
 * asset layer's files stay out of it.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEPLOY_FLAGS } from "../../scripts/deploy-flags.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
let out: string;
let bundle: string;
let log: string;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "seatwatch-worker-bundle-"));
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [WRANGLER, "deploy", "--dry-run", "--outdir", out, ...DEPLOY_FLAGS],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" }, timeout: 120_000 },
  );
  log = stdout + stderr;
  bundle = readFileSync(join(out, "index.js"), "utf8");
}, 150_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("the Worker bundle (wrangler deploy --dry-run)", () => {
  it("is at most 64 KiB gzipped", () => {
    const gzipped = gzipSync(bundle, { level: 9 }).length;
    expect(gzipped).toBeGreaterThan(20 * 1024); // it is the whole Worker, not an empty stub
    expect(gzipped).toBeLessThanOrEqual(64 * 1024);
  });

  it("leaves the asset layer's files (the OpenAPI document, the pages' CSS) to the asset upload", () => {
    expect(log).toMatch(/Read \d+ files? from the assets directory/);
    expect(bundle).not.toContain("3.1.0");
    expect(bundle).not.toContain("prefers-color-scheme");
    expect(bundle).not.toContain("SEATWATCH_SERVES_ASSETS");
  });
});
