/**
 * What a webhook may be called, which alert formats exist and what each needs beside its URL
 * (DESIGN §5, §6): one table for the Worker, which validates and redacts with it, and the CLI,
 * whose fleet file and `webhooks add` must know which credential to ask the environment for.
 */
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

/** The credentials and addresses a format may need beside its URL. */
export const CREDENTIALS = ["routingKey", "chatId", "token", "user"] as const;
export type Credential = (typeof CREDENTIALS)[number];
/** Redacted in listings; the fleet file names the variable holding them, never the value. */
export const SECRET_CREDENTIALS = ["routingKey", "token", "user"] as const satisfies readonly Credential[];
export type SecretCredential = (typeof SECRET_CREDENTIALS)[number];
export const isSecretCredential = (c: Credential): c is SecretCredential =>
  (SECRET_CREDENTIALS as readonly Credential[]).includes(c);

export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";
export const OPSGENIE_ALERTS_URL = "https://api.opsgenie.com/v2/alerts";
export const PUSHOVER_MESSAGES_URL = "https://api.pushover.net/1/messages.json";

export interface CredentialRule {
  pattern: RegExp;
  /** What the value is and where to find it, to follow "format F needs FIELD: "; it never quotes a value. */
  what: string;
}

export interface Receiver {
  /** The platform's one fixed endpoint, used when `url` is left out. */
  url?: string;
  needs: Partial<Record<Credential, CredentialRule>>;
}

/** Each receiver's fields, with what the platform's documentation says each looks like. */
export const RECEIVERS: Record<Format, Receiver> = {
  json: { needs: {} },
  slack: { needs: {} },
  discord: { needs: {} },
  teams: { needs: {} },
  ntfy: { needs: {} },
  pagerduty: {
    url: PAGERDUTY_EVENTS_URL,
    needs: {
      // Integration keys are 32 characters; some slack for other key shapes, never spaces or quotes.
      routingKey: {
        pattern: /^[A-Za-z0-9_-]{16,128}$/,
        what: "the Integration Key of an Events API v2 integration on the PagerDuty service (Service → Integrations)",
      },
    },
  },
  telegram: {
    needs: {
      // A chat's numeric id (groups and channels are negative) or a public channel's @username.
      chatId: {
        pattern: /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/,
        what: 'the numeric chat id (e.g. "-1001234567890") or a channel\'s "@username"; url is https://api.telegram.org/bot<token>/sendMessage',
      },
    },
  },
  opsgenie: {
    url: OPSGENIE_ALERTS_URL,
    needs: {
      token: {
        pattern: /^[A-Za-z0-9-]{16,128}$/,
        what: "the API key of an API integration (Settings → Integrations → API), sent as GenieKey; use url https://api.eu.opsgenie.com/v2/alerts for EU accounts",
      },
    },
  },
  pushover: {
    url: PUSHOVER_MESSAGES_URL,
    needs: {
      token: {
        pattern: /^[A-Za-z0-9]{30}$/,
        what: "your application's API token (30 letters and digits)",
      },
      user: {
        pattern: /^[A-Za-z0-9]{30}$/,
        what: "the user or group key to notify (30 letters and digits)",
      },
    },
  },
  gotify: {
    needs: {
      token: {
        pattern: /^[A-Za-z0-9._-]{8,128}$/,
        what: "an application token (Apps → Create application); url is https://<server>/message",
      },
    },
  },
  matrix: {
    needs: {
      token: {
        pattern: /^[A-Za-z0-9._~+/=-]{8,512}$/,
        what: "the bot account's access token; url is https://<homeserver>/_matrix/client/v3/rooms/<room id>/send/m.room.message",
      },
    },
  },
};

/** The formats that take `field`, for "only for format …" messages. */
export function formatsTaking(field: Credential): Format[] {
  return FORMATS.filter((f) => RECEIVERS[f].needs[field] !== undefined);
}
