/**
 * `npm run deploy`: `wrangler deploy`, with the steps a first deploy needs said in order. The KV
 * namespace has no id in wrangler.toml, so wrangler (≥ 4.45) creates it in the account on the first
 * deploy and keeps it linked; the ledger's migration and the cron trigger ride along. What wrangler
 * cannot do for a newcomer is log in and set the admin secret: this checks both and names the fix.
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { DEPLOY_FLAGS } from "./deploy-flags.ts";

const ROOT = resolve(import.meta.dirname, "..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");

function wrangler(args: string[], capture: boolean) {
  return spawnSync(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
}

const who = wrangler(["whoami"], true);
if (who.status !== 0 || /not authenticated/i.test(`${who.stdout}${who.stderr}`)) {
  console.error(
    "deploy: wrangler is not logged in to a Cloudflare account.\n" +
      "  1. npx wrangler login          (or set CLOUDFLARE_API_TOKEN for CI)\n" +
      "  2. npm run deploy              (again)\n" +
      "The first deploy creates the SEATWATCH_KV namespace itself; see README 'Deploying to Cloudflare'.",
  );
  process.exit(1);
}

// The asset layer's files are committed and tested fresh; rewriting them here means a deploy of an
// untested edit still ships the pages and /openapi.json that match its Worker.
const assets = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts/assets.ts")], {
  cwd: ROOT,
  stdio: "inherit",
});
if (assets.status !== 0) process.exit(assets.status ?? 1);

console.log(
  "deploy: the first deploy creates the KV namespace SEATWATCH_KV in your account (no id is needed in\n" +
    "wrangler.toml), applies the ledger's Durable Object migration and registers the cron trigger.",
);
const deployed = wrangler(["deploy", ...DEPLOY_FLAGS, ...process.argv.slice(2)], false);
if (deployed.status !== 0) process.exit(deployed.status ?? 1);

const secrets = wrangler(["secret", "list"], true);
if (secrets.status === 0 && !secrets.stdout.includes('"ADMIN_TOKEN"')) {
  console.log(
    "\nnext: the admin API refuses every call until ADMIN_TOKEN is set:\n" +
      "  openssl rand -base64 32 | npx wrangler secret put ADMIN_TOKEN\n" +
      "Optionally READ_TOKEN (gates status, hosts, metrics and the dashboard) and WATCHDOG_URL.",
  );
}
