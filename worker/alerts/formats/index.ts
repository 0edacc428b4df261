/**
 * Alert formats (DESIGN §5): one event (the `json` body, alert.ts) rendered at send time for the
 * receiver a webhook names. Every format is signed the same way (Standard Webhooks `v1` headers,
 * added by delivery.ts); receivers that do not check them ignore them.
 */
import type { AlertEvent } from "../event.ts";
import type { Webhook } from "../webhooks.ts";
import { discordBody } from "./discord.ts";
import { ntfyRequest } from "./ntfy.ts";
import { pagerdutyBody } from "./pagerduty.ts";
import { slackBody } from "./slack.ts";

export interface Rendered {
  headers: Record<string, string>;
  body: string;
}

const JSON_TYPE = { "content-type": "application/json" };

export function render(hook: Pick<Webhook, "format" | "routingKey">, event: AlertEvent): Rendered {
  switch (hook.format) {
    case "json":
      return { headers: JSON_TYPE, body: JSON.stringify(event) };
    case "slack":
      return { headers: JSON_TYPE, body: JSON.stringify(slackBody(event)) };
    case "discord":
      return { headers: JSON_TYPE, body: JSON.stringify(discordBody(event)) };
    case "pagerduty":
      return { headers: JSON_TYPE, body: JSON.stringify(pagerdutyBody(event, hook.routingKey ?? "")) };
    case "ntfy":
      return ntfyRequest(event);
  }
}
