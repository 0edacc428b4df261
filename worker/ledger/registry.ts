/**
 * The webhooks alerts go to, as the ledger stores them (DESIGN §5), and how they are shown back:
 * secrets and the secret parts of URLs redacted, with each one's backlog in the outbox.
 */

import { generateSecret } from "../../protocol/keys.ts";
import { iso } from "../../protocol/time.ts";
import type { State } from "../../protocol/verdict.ts";
import {
  type Format,
  REDACTED_SECRET,
  redactUrl,
  shownCredentials,
  type Webhook,
  type WebhookInput,
} from "../alerts/webhooks.ts";
import type { Outbox, UndeliveredView } from "./outbox.ts";

interface WebhookRow extends Record<string, SqlStorageValue> {
  name: string;
  url: string;
  format: string;
  secret: string;
  labels: string;
  routing_key: string | null;
  states: string | null;
  /** JSON: chatId, token, user (the formats that need them). */
  credentials: string;
  created_at: number;
  updated_at: number;
}

/**
 * A webhook as GET /v1/webhooks lists it: its fields (secret parts redacted, secret credentials
 * `***`), times in ISO 8601, and its backlog.
 */
export type WebhookView = Omit<Webhook, "createdAt" | "updatedAt"> & {
  createdAt: string;
  updatedAt: string;
  pending: number;
  undeliveredCount: number;
  undelivered: UndeliveredView[];
};

function toWebhook(row: WebhookRow): Webhook {
  return {
    name: row.name,
    url: row.url,
    format: row.format as Format,
    secret: row.secret,
    labels: JSON.parse(row.labels) as string[],
    states: row.states === null ? null : (JSON.parse(row.states) as State[]),
    ...(row.routing_key === null ? {} : { routingKey: row.routing_key }),
    ...(JSON.parse(row.credentials) as Pick<Webhook, "chatId" | "token" | "user">),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class WebhookRegistry {
  constructor(
    private readonly sql: SqlStorage,
    private readonly outbox: Outbox,
  ) {}

  all(): Webhook[] {
    return this.sql.exec<WebhookRow>("SELECT * FROM webhooks ORDER BY name").toArray().map(toWebhook);
  }

  get(name: string): Webhook | null {
    const row = this.sql.exec<WebhookRow>("SELECT * FROM webhooks WHERE name = ?", name).toArray()[0];
    return row ? toWebhook(row) : null;
  }

  list(): WebhookView[] {
    return this.all().map((hook) => this.view(hook));
  }

  /**
   * Creates or replaces a webhook. Replacing one acknowledges its undelivered alerts (the operator
   * has looked and fixed it), which clears them from `monitor.undelivered`. The secret is returned
   * only when generated here, once.
   */
  put(name: string, input: WebhookInput, now: number): { webhook: WebhookView; created: boolean; secret?: string } {
    const existing = this.get(name);
    const secret = input.secret ?? existing?.secret ?? generateSecret();
    this.sql.exec(
      `INSERT OR REPLACE INTO webhooks (name, url, format, secret, labels, routing_key, states, credentials,
         created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      name,
      input.url,
      input.format,
      secret,
      JSON.stringify(input.labels),
      input.routingKey ?? null,
      input.states === null ? null : JSON.stringify(input.states),
      JSON.stringify({ chatId: input.chatId, token: input.token, user: input.user }),
      existing?.createdAt ?? now,
      now,
    );
    this.outbox.acknowledge(name);
    const hook = this.get(name) as Webhook;
    const generated = input.secret === undefined && existing === null;
    return { webhook: this.view(hook), created: existing === null, ...(generated ? { secret } : {}) };
  }

  /** Deletes a webhook and whatever still waits to be sent to it; false when there was none. */
  delete(name: string): boolean {
    const existed = this.get(name) !== null;
    this.sql.exec("DELETE FROM webhooks WHERE name = ?", name);
    this.outbox.drop(name);
    return existed;
  }

  private view(hook: Webhook): WebhookView {
    return {
      name: hook.name,
      url: redactUrl(hook.url),
      format: hook.format,
      secret: REDACTED_SECRET,
      labels: hook.labels,
      states: hook.states,
      ...shownCredentials(hook),
      createdAt: iso(hook.createdAt),
      updatedAt: iso(hook.updatedAt),
      ...this.outbox.backlog(hook.name),
    };
  }
}
