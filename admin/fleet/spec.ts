/**
 * The fleet file's meaning (DESIGN §9): the desired hosts, webhooks and maintenance windows. A
 * section the file leaves out is not managed: apply neither compares nor prunes it.
 */
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
}

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

/** Formats the DESIGN names for alerts: §5's and §6's. The Worker refuses those it does not render yet. */
export const WEBHOOK_FORMATS = [
  "json",
  "slack",
  "discord",
  "pagerduty",
  "ntfy",
  "telegram",
  "teams",
  "opsgenie",
  "pushover",
  "gotify",
  "matrix",
] as const;

export const WEBHOOK_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
