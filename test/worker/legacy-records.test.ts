import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { generateKeyPair } from "../../protocol/keys.ts";
import { DEFAULT_POLICY } from "../../protocol/policy.ts";
import { call, sendBeat } from "./helpers.ts";

/** A config as the Worker stored it before key:<id> and unix-ms times: key inside, pausedUntil in ISO 8601. */
async function storeLegacyHost(id: string, pausedUntil: string | null) {
  const keys = await generateKeyPair();
  const config = {
    id,
    policy: { ...DEFAULT_POLICY, pausedUntil },
    epoch: `epoch-${id}`,
    createdAt: "2026-11-01T00:00:00.000Z",
    updatedAt: "2026-11-01T00:00:00.000Z",
    publicKey: keys.publicKey,
  };
  const meta = { epoch: config.epoch, createdAt: config.createdAt, policy: config.policy };
  await env.SEATWATCH_KV.put(`cfg:${id}`, JSON.stringify(config), { metadata: meta });
  return { id, keys };
}

describe("hosts stored before the key moved to key:<id>", () => {
  it("still have their beats accepted with the key kept inside cfg:", async () => {
    const host = await storeLegacyHost("legacy-key", null);

    const res = await sendBeat(host, { seats: 2 });

    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: true, state: "up" });
  });

  it("stay paused until their ISO 8601 pausedUntil", async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await storeLegacyHost("legacy-paused", until);

    const status = (await (await call("/v1/status")).json()) as { hosts: { id: string; state: string }[] };

    expect(status.hosts.find((h) => h.id === "legacy-paused")?.state).toBe("paused");
    const detail = (await (await call("/v1/hosts/legacy-paused")).json()) as { policy: { pausedUntil: string } };
    expect(detail.policy.pausedUntil).toBe(until);
  });
});
