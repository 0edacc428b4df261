/**
 * The document's component schemas: request bodies from the schemas the validators check with
 * (policy, beat, webhook, enrollment), answers from the types the faces build them with.
 * `objectOf<T>` ties each answer to its TypeScript type, so a field added to an answer without a
 * schema does not compile.
 */
import {
  type BeatAccepted,
  type EnrollAnswer,
  ERROR_CODES,
  type ErrorBody,
  type PolicyAnswer,
} from "../../../protocol/answers.ts";
import { BEAT_SCHEMA } from "../../../protocol/beat-schema.ts";
import { HOST_ID_SCHEMA } from "../../../protocol/host.ts";
import { integer, type JsonSchema, matching, nullable, objectOf } from "../../../protocol/json-schema.ts";
import { PUBLIC_KEY_SCHEMA } from "../../../protocol/keys.ts";
import { LABEL_PATTERN, POLICY_KEYS } from "../../../protocol/policy.ts";
import type { FieldError } from "../../../protocol/validation.ts";
import { STATES, type State } from "../../../protocol/verdict.ts";
import { FORMATS, WEBHOOK_INPUT_SCHEMA } from "../../alerts/webhooks.ts";
import type { DuplicateBeacon } from "../../fleet/duplicate.ts";
import { ENROLL_REQUEST_SCHEMA, TOKEN_REQUEST_SCHEMA } from "../../fleet/enrollment.ts";
import { type MaintenanceWindow, WINDOW_INPUT_SCHEMA } from "../../fleet/maintenance.ts";
import { POLICY_SCHEMA } from "../../fleet/policy.ts";
import type { Warning } from "../../fleet/warnings.ts";
import type { Monitor } from "../../ledger/monitor.ts";
import type { UndeliveredView } from "../../ledger/outbox.ts";
import type { WebhookView } from "../../ledger/registry.ts";
import type { HostTransition } from "../../ledger/transitions.ts";
import type { ShieldsEndpoint } from "../badge.ts";
import type { hostDetail, hostSummary, StatusDocument } from "../status.ts";
import type { UPTIME_WINDOWS, Uptime } from "../uptime.ts";

/** A component by name; the OpenAPI validator test fails on a name that is not in COMPONENTS. */
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const time: JsonSchema = { type: "string", format: "date-time" };
const count: JsonSchema = { type: "integer", minimum: 0 };
const state: JsonSchema = { enum: STATES };
const text: JsonSchema = { type: "string" };
const labels: JsonSchema = { type: "array", items: matching(LABEL_PATTERN) };
const beatField = (name: string): JsonSchema => BEAT_SCHEMA.properties?.[name] ?? {};

const FIELD_ERROR = objectOf<FieldError>({ field: text, message: text }, "all");

type HostSummary = ReturnType<typeof hostSummary>;
type HostDetail = ReturnType<typeof hostDetail>;
type LastBeat = NonNullable<HostDetail["lastBeat"]>;
type ActivitySummary = NonNullable<HostSummary["activity"]>;
type SeatView = NonNullable<HostDetail["seatList"]>[number];

const SEAT_VIEW = objectOf<SeatView>(
  {
    pane: text,
    target: { ...text, description: "session:window, a tmux target" },
    session: text,
    window: count,
    command: text,
    state: { enum: ["waiting", "quiet", "working"] },
    since: { ...time, description: "on the Worker's clock" },
    forSeconds: count,
    via: text,
    why: nullable(text),
  },
  "all",
);

const WARNINGS: JsonSchema = {
  type: "array",
  items: { enum: ["clock_skew", "duplicate_beacon"] satisfies Warning[] },
  description:
    "clock_skew: the beacon's clock is off by more than 30 s; duplicate_beacon: two beacons push as this host",
};

const SUMMARY_FIELDS: Record<keyof HostSummary, JsonSchema> = {
  id: HOST_ID_SCHEMA,
  state,
  reason: nullable({ ...text, description: "a snake_case code; for error the beacon's own" }),
  seats: nullable(count),
  minSeats: count,
  lastSeen: nullable({ ...time, description: "the Worker's arrival time of the last accepted beat" }),
  since: nullable({ ...time, description: "when the current state began" }),
  labels,
  warnings: WARNINGS,
  maintenance: objectOf<NonNullable<HostSummary["maintenance"]>>(
    {
      window: { ...text, description: "the maintenance window pausing the host" },
      endsAt: { ...time, description: "when it ends (or ended, while the host awaits a beat)" },
    },
    "all",
    { description: "present while a maintenance window pauses the host" },
  ),
  activity: nullable(
    objectOf<ActivitySummary>(
      {
        working: count,
        waiting: count,
        quiet: count,
        oldestWaitSeconds: nullable(count),
        oldestQuietSeconds: nullable(count),
        marks: { type: "boolean", description: "false: no agent on the host reports waits (hooks claude --install)" },
        attention: { type: "array", items: { type: "object" }, description: "the seats to attach to first" },
      },
      "all",
    ),
  ),
};

/** Every summary field but `maintenance`, which is there only while a window pauses the host. */
const SUMMARY_REQUIRED = (Object.keys(SUMMARY_FIELDS) as (keyof HostSummary)[]).filter((k) => k !== "maintenance");

const LAST_BEAT = objectOf<LastBeat>(
  {
    receivedAt: time,
    ts: { ...time, description: "the beat's sample time, on the beacon's clock" },
    seq: beatField("seq"),
    instance: beatField("instance"),
    observed: beatField("observed"),
    reason: nullable(text),
    seats: beatField("seats"),
    idle: beatField("idle"),
    commands: beatField("commands"),
    servers: beatField("servers"),
    binaries: beatField("binaries"),
    activity: nullable(beatField("activity")),
    beacon: beatField("beacon"),
  },
  "all",
);

const UPTIME = objectOf<Uptime>(
  {
    from: time,
    to: time,
    uptime: nullable({ type: "number", minimum: 0, maximum: 1 }),
    upSeconds: count,
    lowSeconds: count,
    downSeconds: count,
    pausedSeconds: count,
    unknownSeconds: count,
  },
  "all",
);

const UNDELIVERED = objectOf<UndeliveredView>(
  { id: text, type: text, host: text, attempts: count, lastError: nullable(text), queuedAt: time },
  "all",
);

const HOST_DETAIL_FIELDS: Record<keyof HostDetail, JsonSchema> = {
  ...SUMMARY_FIELDS,
  idle: nullable(count),
  policy: ref("Policy"),
  keyRegistered: { type: "boolean" },
  createdAt: time,
  updatedAt: time,
  clockOffsetMs: nullable({ type: "integer", description: "arrival − the beat's ts" }),
  duplicateBeacon: nullable(
    objectOf<DuplicateBeacon>({ instances: { type: "array", items: text }, lastSwitchAt: time, message: text }, "all"),
  ),
  lastBeat: nullable(LAST_BEAT),
  seatList: nullable({ type: "array", items: SEAT_VIEW }),
  history: {
    type: "array",
    items: objectOf<HostDetail["history"][number]>({ at: time, seats: count }, "all"),
  },
};

export const COMPONENTS = {
  Error: objectOf<ErrorBody>(
    {
      error: objectOf<ErrorBody["error"]>(
        {
          code: { enum: ERROR_CODES },
          message: { ...text, description: "what went wrong and what to do about it" },
          details: { type: "array", items: FIELD_ERROR, description: "400s from a validator: every field's problem" },
        },
        ["code", "message"],
      ),
    },
    "all",
  ),
  PolicyPatch: POLICY_SCHEMA,
  Policy: { ...POLICY_SCHEMA, required: [...POLICY_KEYS] },
  HostChange: {
    ...POLICY_SCHEMA,
    properties: { ...POLICY_SCHEMA.properties, publicKey: nullable(PUBLIC_KEY_SCHEMA) },
    description: "policy fields and, optionally, the host's public key (null removes it)",
  },
  Beat: BEAT_SCHEMA,
  BeatAccepted: objectOf<BeatAccepted>(
    {
      accepted: { const: true },
      state,
      reason: nullable(text),
      minSeats: count,
      policy: {
        type: "object",
        properties: Object.fromEntries(
          ["minSeats", "maxWaitSeconds", "minWorking", "maxQuietSeconds"].map((k) => [
            k,
            POLICY_SCHEMA.properties?.[k] ?? {},
          ]),
        ),
        description: "the policy the beacon needs to predict the verdict",
      },
    },
    "all",
  ),
  EnrollRequest: ENROLL_REQUEST_SCHEMA,
  EnrollAnswer: objectOf<EnrollAnswer>(
    { enrolled: { const: true }, host: HOST_ID_SCHEMA, policy: ref("Policy") },
    "all",
  ),
  TokenRequest: TOKEN_REQUEST_SCHEMA,
  Token: objectOf<{ host: string; token: string; expiresAt: string }>(
    { host: HOST_ID_SCHEMA, token: { ...text, description: "shown once; only its hash is stored" }, expiresAt: time },
    "all",
  ),
  Monitor: objectOf<Monitor>(
    {
      lastCronAt: nullable(time),
      hostsEvaluated: count,
      stale: { type: "boolean", description: "no cron run for 3 minutes, or none yet" },
      undelivered: { ...count, description: "alerts not delivered after all retries" },
    },
    "all",
  ),
  HostSummary: objectOf<HostSummary>(SUMMARY_FIELDS, SUMMARY_REQUIRED),
  HostList: objectOf<{ hosts: (HostSummary & { policy: PolicyAnswer })[] }>(
    {
      hosts: {
        type: "array",
        items: objectOf<HostSummary & { policy: PolicyAnswer }>({ ...SUMMARY_FIELDS, policy: ref("Policy") }, [
          ...SUMMARY_REQUIRED,
          "policy",
        ]),
      },
    },
    "all",
  ),
  HostDetail: objectOf<HostDetail>(
    HOST_DETAIL_FIELDS,
    (Object.keys(HOST_DETAIL_FIELDS) as (keyof HostDetail)[]).filter((k) => k !== "maintenance"),
  ),
  StatusDocument: objectOf<StatusDocument>(
    {
      generatedAt: time,
      monitor: ref("Monitor"),
      counts: objectOf<Record<State, number>>(
        Object.fromEntries(STATES.map((s) => [s, count])) as Record<State, JsonSchema>,
        "all",
      ),
      hosts: { type: "array", items: ref("HostSummary") },
    },
    "all",
  ),
  HostEvents: objectOf<{
    host: string;
    generatedAt: string;
    uptime: Record<keyof typeof UPTIME_WINDOWS, Uptime>;
    uptimeNote: string;
    events: HostTransition[];
  }>(
    {
      host: HOST_ID_SCHEMA,
      generatedAt: time,
      uptime: objectOf<Record<keyof typeof UPTIME_WINDOWS, Uptime>>(
        { "24h": UPTIME, "7d": UPTIME, "30d": UPTIME },
        "all",
      ),
      uptimeNote: text,
      events: {
        type: "array",
        items: objectOf<HostTransition>(
          {
            id: text,
            state,
            previous: state,
            reason: nullable(text),
            seats: nullable(count),
            minSeats: count,
            since: time,
            recordedAt: time,
            announced: { type: "boolean", description: "whether webhooks were told" },
          },
          "all",
        ),
      },
    },
    "all",
  ),
  LabelPatch: objectOf<{ label: string; changed: number; hosts: { id: string; policy: PolicyAnswer }[] }>(
    {
      label: matching(LABEL_PATTERN),
      changed: count,
      hosts: {
        type: "array",
        items: objectOf<{ id: string; policy: PolicyAnswer }>({ id: HOST_ID_SCHEMA, policy: ref("Policy") }, "all"),
      },
    },
    "all",
  ),
  WebhookInput: WEBHOOK_INPUT_SCHEMA,
  Webhook: objectOf<WebhookView>(
    {
      name: text,
      url: { ...text, description: "secret parts of the URL redacted as ***" },
      format: { enum: FORMATS },
      secret: {
        ...text,
        description: "whsec_*** in listings; the generated secret itself, once, in the answer that created it",
      },
      labels,
      states: nullable({ type: "array", items: state, description: "the states it hears; null: every state" }),
      routingKey: { const: "***" },
      chatId: text,
      token: { const: "***" },
      user: { const: "***" },
      createdAt: time,
      updatedAt: time,
      pending: count,
      undeliveredCount: count,
      undelivered: { type: "array", items: UNDELIVERED },
    },
    [
      "name",
      "url",
      "format",
      "secret",
      "labels",
      "states",
      "createdAt",
      "updatedAt",
      "pending",
      "undeliveredCount",
      "undelivered",
    ],
  ),
  MaintenanceInput: WINDOW_INPUT_SCHEMA,
  Maintenance: objectOf<
    MaintenanceWindow & { name: string; inside: boolean; endsAt: string | null; nextStart: string | null }
  >(
    {
      name: text,
      ...WINDOW_INPUT_SCHEMA.properties,
      note: nullable(text),
      inside: { type: "boolean", description: "whether an occurrence is on now" },
      endsAt: nullable({ ...time, description: "while inside: when this occurrence ends" }),
      nextStart: nullable({ ...time, description: "while outside: when the next occurrence starts" }),
    },
    "all",
  ),
  MaintenanceList: objectOf<{ generatedAt: string; maintenance: unknown[] }>(
    { generatedAt: time, maintenance: { type: "array", items: ref("Maintenance") } },
    "all",
  ),
  WebhookList: objectOf<{ webhooks: WebhookView[] }>({ webhooks: { type: "array", items: ref("Webhook") } }, "all"),
  WebhookTested: objectOf<{ delivered: true; status: number }>(
    { delivered: { const: true }, status: integer(200, 299) },
    "all",
  ),
  ShieldsBadge: objectOf<ShieldsEndpoint>(
    { schemaVersion: { const: 1 }, label: text, message: text, color: text },
    "all",
    { additionalProperties: false, description: "shields.io's endpoint schema" },
  ),
  OpenApiDocument: { type: "object", required: ["openapi", "info", "paths"], description: "this document" },
} satisfies Record<string, JsonSchema>;
