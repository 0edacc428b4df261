/** What a webhook may be called and which alert formats exist (DESIGN §5, §6): one list for the Worker and the CLI. */
export const FORMATS = [
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
export type Format = (typeof FORMATS)[number];

export const WEBHOOK_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
