/**
 * The fleet file's meaning (DESIGN §9): the desired hosts, webhooks and maintenance windows. A
 * section the file leaves out is not managed: apply neither compares nor prunes it.
 */
import type { SecretCredential } from "../../protocol/webhooks.ts";
import type { Window } from "../maintenance.ts";
import type { PolicySpec } from "../policy.ts";

export interface WebhookSpec {
  /** The receiver; `urlEnv` instead when the URL itself is a credential (Slack, Discord, ntfy topics). */
  url?: string;
  urlEnv?: string;
  format: string;
  labels: string[];
  /** Absent: the webhook hears every state. */
  states?: string[];
  /** The environment variable holding the whsec_ secret; absent: the Worker keeps (or generates) one. */
  secretEnv?: string;
  /** format pagerduty: the variable holding the Events API v2 integration key. */
  routingKeyEnv?: string;
  /** opsgenie, pushover, gotify, matrix: the variable holding the receiver's API or app token. */
  tokenEnv?: string;
  /** pushover: the variable holding the user or group key. */
  userEnv?: string;
  /** telegram: the chat alerts go to; not a secret (the bot token is in the URL), so written as it is. */
  chatId?: string;
}

/** A secret credential's field in the file: the variable that holds it (`token` → `tokenEnv`). */
export type CredentialEnvField = `${SecretCredential}Env`;
export const envFieldOf = (credential: SecretCredential): CredentialEnvField => `${credential}Env`;

export interface FleetSpec {
  defaults: PolicySpec;
  hosts: Record<string, PolicySpec> | null;
  webhooks: Record<string, WebhookSpec> | null;
  maintenance: Record<string, Window> | null;
}

/** A place in the file, 1-based like editors and compilers. */
export interface Place {
  line: number;
  col: number;
}

export interface FileError {
  file: string;
  line: number | null;
  col: number | null;
  /** The dotted path of the field, e.g. `hosts.web-1.minSeats`; "" for the file as a whole. */
  field: string;
  message: string;
}

export function formatFileError(e: FileError): string {
  const where = e.line === null ? e.file : `${e.file}:${e.line}:${e.col}`;
  return `${where}: ${e.field ? `${e.field}: ` : ""}${e.message}`;
}

export { FORMATS as WEBHOOK_FORMATS, WEBHOOK_NAME_PATTERN } from "../../protocol/webhooks.ts";
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
