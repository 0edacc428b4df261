/**
 * Alert formats (DESIGN §5, §6): one event (the `json` body, event.ts) rendered at send time for
 * the receiver a webhook names. Every format is signed the same way (Standard Webhooks `v1`
 * headers, added by delivery.ts); receivers that do not check them ignore them. Most formats POST
 * to the webhook's URL; Matrix PUTs to a transaction URL and Opsgenie closes at the alert's own.
 */
import type { AlertEvent } from "../event.ts";
import type { Webhook } from "../webhooks.ts";
import { discordBody } from "./discord.ts";
import { gotifyRequest } from "./gotify.ts";
import { matrixRequest } from "./matrix.ts";
import { ntfyRequest } from "./ntfy.ts";
import { opsgenieRequest } from "./opsgenie.ts";
import { pagerdutyBody } from "./pagerduty.ts";
import { pushoverBody } from "./pushover.ts";
import { slackBody } from "./slack.ts";
import { teamsBody } from "./teams.ts";
import { telegramBody } from "./telegram.ts";

export interface Rendered {
  /** Absent: POST. */
  method?: "POST" | "PUT";
  /** Absent: the webhook's URL. */
  url?: string;
  headers: Record<string, string>;
  body: string;
}

const JSON_TYPE = { "content-type": "application/json" };

function json(body: unknown): Rendered {
  return { headers: JSON_TYPE, body: JSON.stringify(body) };
}

export function render(
  hook: Pick<Webhook, "format" | "url" | "routingKey" | "chatId" | "token" | "user">,
  event: AlertEvent,
): Rendered {
  // The validator refuses a webhook without the credentials its format needs, so "" never goes out.
  const token = hook.token ?? "";
  switch (hook.format) {
    case "json":
      return json(event);
    case "slack":
      return json(slackBody(event));
    case "discord":
      return json(discordBody(event));
    case "pagerduty":
      return json(pagerdutyBody(event, hook.routingKey ?? ""));
    case "ntfy":
      return ntfyRequest(event);
    case "telegram":
      return json(telegramBody(event, hook.chatId ?? ""));
    case "teams":
      return json(teamsBody(event));
    case "opsgenie":
      return opsgenieRequest(event, hook.url, token);
    case "pushover":
      return json(pushoverBody(event, token, hook.user ?? ""));
    case "gotify":
      return gotifyRequest(event, token);
    case "matrix":
      return matrixRequest(event, hook.url, token);
  }
}
