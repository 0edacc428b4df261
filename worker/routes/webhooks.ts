import { Hono } from "hono/tiny";
import { checkWebhookName, validateWebhookInput } from "../alerts/webhooks.ts";
import type { AppEnv } from "../env.ts";
import { requireAdmin } from "../http/auth.ts";
import { adminBody } from "../http/body.ts";
import { now } from "../http/clock.ts";
import { ApiError, invalidFields } from "../http/errors.ts";
import { ledgerStub } from "../ledger/ledger.ts";

export const webhooks = new Hono<AppEnv>();

function unknownWebhook(name: string): ApiError {
  return new ApiError(
    404,
    "unknown_webhook",
    `no webhook ${JSON.stringify(name)}; create it with PUT /v1/webhooks/${name}`,
  );
}

webhooks.get("/", requireAdmin, async (c) => {
  return c.json({ webhooks: await ledgerStub(c.env).listWebhooks() });
});

webhooks.put("/:name", requireAdmin, async (c) => {
  const name = c.req.param("name");
  checkWebhookName(name);
  const input = validateWebhookInput(await adminBody(c.req.raw));
  if (!input.ok) throw invalidFields("invalid_webhook", input.errors);
  // Alert links point back at the address the admin used, so no extra setting is needed.
  const origin = new URL(c.req.url).origin;
  const { webhook, created, secret } = await ledgerStub(c.env).putWebhook(name, input.value, origin, now());
  return c.json(secret === undefined ? webhook : { ...webhook, secret }, created ? 201 : 200);
});

webhooks.delete("/:name", requireAdmin, async (c) => {
  const name = c.req.param("name");
  checkWebhookName(name);
  if (!(await ledgerStub(c.env).deleteWebhook(name))) throw unknownWebhook(name);
  return c.body(null, 204);
});

webhooks.post("/:name/test", requireAdmin, async (c) => {
  const name = c.req.param("name");
  checkWebhookName(name);
  const result = await ledgerStub(c.env).testWebhook(name, new URL(c.req.url).origin, now());
  if (result === null) throw unknownWebhook(name);
  if (!result.ok) {
    throw new ApiError(
      502,
      "delivery_failed",
      `the test alert was not accepted: ${result.error}; check the URL, and that the receiver answers 2xx`,
    );
  }
  return c.json({ delivered: true, status: result.status });
});
