import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCron } from "../../worker/cron.ts";
import { ledgerStub } from "../../worker/ledger/ledger.ts";
import { seedFleet } from "./seed.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("a cron run with more differing hosts than fit", () => {
  it("carries the rest over: the next runs resume where it stopped until every host is handed over", async () => {
    const now = Date.parse("2027-07-01T00:00:00Z");
    vi.setSystemTime(now);
    const ids = Array.from({ length: 25 }, (_, i) => `silent-${String(i).padStart(2, "0")}`);
    await seedFleet(
      env.SEATWATCH_KV,
      ids.map((id) => ({ id, lastSeen: now - 600_000 })),
    );
    const ledger = ledgerStub(env);
    const limits = { batch: 4, maxHandoff: 10 };

    const first = await runCron(env.SEATWATCH_KV, ledger, now, limits);
    expect(first).toMatchObject({ handed: 10, carried: 15, ledgerRequests: 1 + 3 + 1 });
    const silentCount = async () =>
      Object.values((await ledger.status(now)).hosts).filter((h) => h.state === "silent").length;
    expect(await silentCount()).toBe(10);
    await runCron(env.SEATWATCH_KV, ledger, now + 60_000, limits);
    expect(await silentCount()).toBe(20);
    await runCron(env.SEATWATCH_KV, ledger, now + 120_000, limits);
    expect(await silentCount()).toBe(25);
  });
});
