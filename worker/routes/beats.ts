import { Hono } from "hono/tiny";
import { type BeatAccepted, beaconPolicy } from "../../protocol/answers.ts";
import type { AppEnv, Bindings } from "../env.ts";
import { ingestBeat } from "../fleet/ingest.ts";
import { type BeatRecord, beatMeta, type HostConfig } from "../fleet/records.ts";
import { now } from "../http/clock.ts";
import { limitByClient } from "../http/rate-limit.ts";
import { ledgerStub } from "../ledger/ledger.ts";
import { observation } from "../ledger/observation.ts";

export const beats = new Hono<AppEnv>();

beats.post("/", limitByClient, async (c) => {
  const { host, record, previous } = await ingestBeat(c.req.raw, c.env.SEATWATCH_KV, now());
  // Rare (a verdict change), and announced within this push rather than at the next cron run.
  if (previous?.state !== record.state) c.executionCtx.waitUntil(tellLedger(c.env, host, record));
  const answer: BeatAccepted = {
    accepted: true,
    state: record.state,
    reason: record.reason,
    minSeats: host.policy.minSeats,
    policy: beaconPolicy(host.policy),
  };
  return c.json(answer, 202);
});

/** A lost request is repaired by the cron, which hands recently changed hosts over again. */
async function tellLedger(env: Bindings, host: HostConfig, record: BeatRecord): Promise<void> {
  try {
    await ledgerStub(env).observe([observation(host.id, host, beatMeta(record), record, record.lastSeen)], null);
  } catch (err) {
    console.error(JSON.stringify({ ledger: "observe failed", host: host.id, error: String(err) }));
  }
}
