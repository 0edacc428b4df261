/**
 * seatwatch Worker: ingest, verdicts and the read API on Hono (DESIGN §5).
 * Route files stay thin; each concern lives in its own module named after it.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./env.ts";
import { ApiError, errorBody } from "./errors.ts";
import { badges } from "./routes/badges.ts";
import { beats } from "./routes/beats.ts";
import { dashboard } from "./routes/dashboard.tsx";
import { enrollment } from "./routes/enroll.ts";
import { hosts } from "./routes/hosts.ts";
import { metrics } from "./routes/metrics.ts";
import { status } from "./routes/status.ts";

export const app = new Hono<AppEnv>();

app.use(async (c, next) => {
  c.set("requestId", c.req.header("cf-ray") ?? crypto.randomUUID());
  await next();
});

app.route("/", beats);
app.route("/", hosts);
app.route("/", enrollment);
app.route("/", status);
app.route("/", badges);
app.route("/", metrics);
app.route("/", dashboard);

app.notFound((c) =>
  c.json(
    errorBody("not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}; see README.md for the API`),
    404,
  ),
);

app.onError((err, c) => {
  if (err instanceof ApiError) {
    return c.json(errorBody(err.code, err.message, err.details), err.status, err.headers);
  }
  if (err instanceof HTTPException) {
    return c.json(errorBody("invalid_json", err.message), err.status === 413 ? 413 : 400);
  }
  const requestId = c.get("requestId");
  console.error(JSON.stringify({ requestId, error: String(err) }));
  return c.json(errorBody("internal_error", `unexpected error; quote request id ${requestId} when reporting it`), 500);
});

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
