/**
 * seatwatch Worker: ingest, verdicts and the read API on Hono (DESIGN §5).
 * Route files stay thin; each concern lives in its own module named after it.
 */
import { Hono } from "hono/tiny";
import { pingWatchdog, runCron } from "./cron.ts";
import type { AppEnv, Bindings } from "./env.ts";
import { answerError } from "./http/answer-error.ts";
import { errorBody } from "./http/errors.ts";
import { ledgerStub } from "./ledger/ledger.ts";
import { ASSET_ROUTE } from "./routes/asset-route.ts";
import { badges } from "./routes/badges.ts";
import { beats } from "./routes/beats.ts";
import { dashboard } from "./routes/dashboard.tsx";
import { enrollment } from "./routes/enroll.ts";
import { hostPage } from "./routes/host-page.tsx";
import { hosts } from "./routes/hosts.ts";
import { maintenance } from "./routes/maintenance.ts";
import { metrics } from "./routes/metrics.ts";
import { status } from "./routes/status.ts";
import { webhooks } from "./routes/webhooks.ts";

export const app = new Hono<AppEnv>();

/**
 * Whether this build serves public/ itself (wrangler.toml [define]): true under `wrangler dev`
 * and in the tests; `npm run deploy` sets it false and hands public/ to the asset layer, and the
 * branch below — with everything routes/assets.ts imports — drops out of the deployed bundle.
 */
declare const SEATWATCH_SERVES_ASSETS: boolean;

app.use(async (c, next) => {
  c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
  await next();
});

if (SEATWATCH_SERVES_ASSETS) {
  app.get(ASSET_ROUTE, async (c, next) => {
    const asset = await (await import("./routes/assets.ts")).serveAsset(c);
    if (asset) return asset;
    await next();
  });
}

app.route("/v1/beats", beats);
app.route("/v1/enroll", enrollment);
app.route("/v1/hosts", hosts);
app.route("/v1/webhooks", webhooks);
app.route("/v1/maintenance", maintenance);
app.route("/v1", status);
app.route("/badge", badges);
app.route("/metrics", metrics);
app.route("/", dashboard);
app.route("/hosts", hostPage);

app.notFound((c) =>
  c.json(
    errorBody("not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}; see README.md for the API`),
    404,
  ),
);

app.onError(answerError);

export { Ledger } from "./ledger/ledger.ts";

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    const report = await runCron(env.SEATWATCH_KV, ledgerStub(env), controller.scheduledTime);
    console.log(JSON.stringify({ cron: report }));
    // Only a run that finished pings, so an outside watchdog notices a cron that fails as well as one that stops.
    if (env.WATCHDOG_URL) ctx.waitUntil(pingWatchdog(env.WATCHDOG_URL));
  },
} satisfies ExportedHandler<Bindings>;
