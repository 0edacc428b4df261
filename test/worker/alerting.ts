/** Drives the dead-man's switch in tests: webhooks on the Node receiver, cron runs, ledger alarms. */
import {
  createExecutionContext,
  createScheduledController,
  runDurableObjectAlarm,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, inject } from "vitest";
import type { Beat } from "../../protocol/beat.ts";
import type { State } from "../../protocol/verdict.ts";
import { type AlertEvent, summaryEvent, transitionEvent } from "../../worker/alerts/event.ts";
import worker from "../../worker/index.ts";
import { ledgerStub } from "../../worker/ledger/ledger.ts";
import { admin, type Enrolled, signedBeat } from "./helpers.ts";

declare module "vitest" {
  export interface ProvidedContext {
    receiverUrl: string;
  }
}

export interface Delivery {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  answered: number | null;
  bodyBytesSent?: number;
  bodyComplete?: boolean;
  /** Deliveries to the same key open when this one arrived, itself included. */
  concurrent: number;
}

export function receiverUrl(key: string, query = ""): string {
  return `${inject("receiverUrl")}/r/${key}${query ? `?${query}` : ""}`;
}

export async function deliveries(key: string): Promise<Delivery[]> {
  return (await (await fetch(`${inject("receiverUrl")}/log/${key}`)).json()) as Delivery[];
}

export async function events(key: string): Promise<AlertEvent[]> {
  return (await deliveries(key)).filter((d) => d.answered === 200).map((d) => JSON.parse(d.body) as AlertEvent);
}

/** Creates a webhook hearing only hosts labelled `label`, so tests sharing storage never hear each other. */
export async function hook(name: string, label: string, query = "", extra: Record<string, unknown> = {}) {
  const res = await admin("PUT", `/v1/webhooks/${name}`, { url: receiverUrl(name, query), labels: [label], ...extra });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { secret: string };
}

/** A beat through the real fetch handler, waiting for its `waitUntil` (the ledger call) to finish. */
export async function beat(host: Enrolled, fields: Partial<Beat> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(await signedBeat(host, fields), env, ctx);
  await waitOnExecutionContext(ctx);
  expect(res.status, await res.clone().text()).toBe(202);
  return res;
}

/** One run of the real `scheduled` handler at `scheduledTime`. */
export async function cron(
  scheduledTime: number,
  bindings: Partial<typeof env> & { WATCHDOG_URL?: string } = {},
): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime, cron: "* * * * *" }), { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
}

/** Runs the ledger's alarm (deliveries, holds, reminders) now, as Cloudflare would when it falls due. */
export async function runAlarm(): Promise<boolean> {
  return runDurableObjectAlarm(ledgerStub(env));
}

const STORM_ORIGIN = "https://seatwatch.example.com";

/** One host's transition in a storm: a long host name (`rack-0007-` + `filler`) and a long reason. */
export function stormChange(i: number, state: State, filler: string): AlertEvent {
  const host = `rack-${String(i).padStart(4, "0")}-${filler}`;
  return transitionEvent(
    {
      id: `${host}.${state}.1800000000000`,
      host,
      state,
      previous: "up",
      reason: "protocol_mismatch_between_client_and_server_after_upgrade",
      seats: 0,
      minSeats: 1,
      lastSeen: 1_800_000_000_000,
      since: 1_800_000_000_000,
      at: 1_800_000_000_000,
      attention: [],
    },
    STORM_ORIGIN,
  );
}

/** The fleet summary of `count` such changes: what each receiver's size limits must survive. */
export function stormEvent(count: number, stateOf: (i: number) => State, filler: string): AlertEvent {
  return summaryEvent(
    Array.from({ length: count }, (_, i) => stormChange(i, stateOf(i), filler)),
    1_800_000_060_000,
    STORM_ORIGIN,
  );
}
