import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type BeaconKey, createKeyFile, loadKeyFile } from "../../beacon/keyfile.ts";
import { explainBeatRefusal, pushBeat, WorkerClient } from "../../beacon/push.ts";
import { newIdentity, toBeat } from "../../beacon/sample.ts";
import { countSeats } from "../../beacon/seats.ts";
import { MAX_BEAT_BYTES, TIMESTAMP_TOLERANCE_SECONDS } from "../../protocol/limits.ts";
import { startConnectProxy } from "../support/connect-proxy.ts";
import { type FailingWorkerFake, type FakeMode, startFailingWorkerFake } from "./fakes/failing-worker-fake.ts";
import { observation } from "./fakes/scripted-observer.ts";

let dir: string;
let key: BeaconKey;
let fake: FailingWorkerFake;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "seatwatch-push-"));
  await createKeyFile(join(dir, "key.pem"));
  key = await loadKeyFile(join(dir, "key.pem"));
  fake = await startFailingWorkerFake(key.publicKey, "accept");
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

function beat() {
  const seen = observation({ seats: 2 });
  return toBeat(seen, countSeats(seen, { countShells: false }), newIdentity("push-box"), 0, Date.now());
}

const context = () => ({ host: "push-box", publicKey: key.publicKey });

describe("pushing through a proxy", () => {
  let proxy: Awaited<ReturnType<typeof startConnectProxy>> | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  it("goes through HTTP_PROXY when one is set", async () => {
    proxy = await startConnectProxy();
    const client = new WorkerClient(fake.url, key.privateKey, { env: { HTTP_PROXY: proxy.url, NO_PROXY: "" } });
    const before = fake.requests.length;

    const result = await pushBeat(client, beat(), context());
    await client.close();

    expect(result.kind).toBe("accepted");
    expect(proxy.targets).toEqual([new URL(fake.url).host]);
    expect(fake.requests.length).toBe(before + 1);
  });

  it("goes direct for a host NO_PROXY names", async () => {
    proxy = await startConnectProxy();
    const client = new WorkerClient(fake.url, key.privateKey, {
      env: { HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" },
    });

    const result = await pushBeat(client, beat(), context());
    await client.close();

    expect(result.kind).toBe("accepted");
    expect(proxy.targets).toEqual([]);
  });
});

describe("explaining the Worker's refusals", () => {
  it("says a 409 replayed follows a clock step, and by how much, when the clock was stepped back", () => {
    const text = explainBeatRefusal("replayed", 409, { ...context(), clock: { steppedBackMs: () => 90_000 } });
    expect(text).toContain("stepped back by 90 s");
  });

  it("names a replay or a cloned beacon when the clock did not move", () => {
    const text = explainBeatRefusal("replayed", 409, { ...context(), clock: { steppedBackMs: () => 0 } });
    expect(text).toContain("another beacon");
  });

  it("says a 401 invalid_signature right after enrollment may be KV propagation and that it keeps pushing", () => {
    const text = explainBeatRefusal("invalid_signature", 401, context());
    expect(text).toContain("KV propagation");
    expect(text).toContain("keeps pushing");
    expect(text).toContain(key.publicKey);
  });

  it("reads the Worker's error body and Retry-After", async () => {
    const result = await pushAgainst("rate429");
    expect(result).toMatchObject({ kind: "refused", status: 429, code: "rate_limited", retryAfterMs: 1000 });
  });

  it("quotes the Worker's timestamp window and beat size from the protocol's limits", () => {
    expect(explainBeatRefusal("stale_timestamp", 401, context())).toContain(
      `more than ${TIMESTAMP_TOLERANCE_SECONDS} s away`,
    );
    expect(explainBeatRefusal("payload_too_large", 413, context())).toContain(
      `larger than ${MAX_BEAT_BYTES / 1024} KiB`,
    );
  });

  it("passes on an error code the Worker does not document and explains it as an unexpected refusal", async () => {
    const result = await pushAgainst("oddCode400");
    expect(result).toMatchObject({ kind: "refused", status: 400, code: "teapot" });
    expect(result.kind === "refused" && result.explanation).toContain("unexpected refusal (status 400)");
  });
});

describe("reading the Worker's 202", () => {
  it("takes state, reason and minSeats from the answer", async () => {
    const result = await pushAgainst("accept");
    expect(result).toMatchObject({ kind: "accepted", status: 202, state: "up", reason: null, minSeats: 1 });
  });

  it("takes the policy the verdict is predicted with, and null from a Worker too old to send one", async () => {
    expect(await pushAgainst("acceptPolicy")).toMatchObject({
      kind: "accepted",
      policy: { minSeats: 1, maxWaitSeconds: 900, minWorking: 0, maxQuietSeconds: 0 },
    });
    expect(await pushAgainst("accept")).toMatchObject({ kind: "accepted", policy: null });
  });

  it("treats a 202 with a malformed policy as an invalid answer", async () => {
    const result = await pushAgainst("badPolicy");
    expect(result).toMatchObject({ kind: "refused", status: 202, code: "invalid_answer" });
    expect(result.kind === "refused" && result.message).toContain("maxWaitSeconds");
  });

  it("treats a 202 without a numeric minSeats as an invalid answer rather than assuming one", async () => {
    const result = await pushAgainst("noMinSeats");
    expect(result).toMatchObject({ kind: "refused", status: 202, code: "invalid_answer" });
    expect(result.kind === "refused" && result.message).toContain("minSeats");
    expect(result.kind === "refused" && result.explanation).toContain("protocol version");
  });
});

async function pushAgainst(mode: FakeMode) {
  fake.mode = mode;
  const client = new WorkerClient(fake.url, key.privateKey);
  try {
    return await pushBeat(client, beat(), context());
  } finally {
    await client.close();
    fake.mode = "accept";
  }
}
