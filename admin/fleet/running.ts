/**
 * The running fleet as the Worker reports it: the shapes apply compares a file with and export
 * writes a file from. Only what the listings show — secrets and the secret parts of URLs are
 * redacted there, which is why apply cannot compare them (see plan.ts).
 */
import type { Credential } from "../../protocol/webhooks.ts";
import type { Window } from "../maintenance.ts";

export interface RunningHost {
  id: string;
  /** Exactly the fields this Worker has: a field missing here is one the Worker does not support yet. */
  policy: Record<string, unknown>;
}

/** A format's credentials as listed: `chatId` as it is, the secret ones `***` when set (absent: not set). */
export type RunningWebhook = RunningWebhookFields & Partial<Record<Credential, string>>;

interface RunningWebhookFields {
  name: string;
  /** Redacted: hidden parts are `***`. */
  url: string;
  format: string;
  labels: string[];
  /** Present only on Workers that route by state (DESIGN §6); absent or null: every state. */
  states?: string[] | null;
}

export type RunningWindow = Window & { name: string };

export interface RunningFleet {
  hosts: RunningHost[];
  webhooks: RunningWebhook[];
  /** null: this Worker has no maintenance API yet (GET /v1/maintenance is 404 not_found). */
  maintenance: RunningWindow[] | null;
}

/** Placeholder the Worker's listings put where a URL or secret is hidden. */
export const HIDDEN = "***";

/**
 * Whether the redacted URL a listing shows could be `url`: every shown part equal, every `***`
 * standing for whatever was hidden. A change inside a hidden part cannot be seen (--resend-secrets).
 */
export function visibleUrlMatches(shown: string, url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const userinfo = u.username || u.password ? `${u.username}${u.password ? `:${u.password}` : ""}@` : "";
  const full = `${u.protocol}//${userinfo}${u.host}${u.pathname}${u.search}`;
  const pattern = shown
    .split(HIDDEN)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^/?#&@]*");
  return new RegExp(`^${pattern}$`).test(full);
}
