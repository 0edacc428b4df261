import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCron } from "../../worker/cron.ts";
import { ledgerStub } from "../../worker/ledger/ledger.ts";
import { countingKv, seedFleet } from "./seed.ts";

const HOSTS = 10_000;
const SILENT = 100;

afterEach(() => {
  vi.useRealTimers();
});

describe("a cron run over 10,000 hosts", () => {
  it("lists at most 10 pages per prefix, reads no host one by one, and hands the ledger only the silent ones", {
    // Seeding 20,000 keys into local KV is most of it: ~40 s alone, over 2 minutes on a loaded 2-core machine.
    timeout: 360_000,
  }, async () => {
    const now = Date.parse("2027-06-01T00:00:00Z");
    vi.setSystemTime(now);
    const ids = Array.from({ length: HOSTS }, (_, i) => `host-${String(i).padStart(5, "0")}`);
    // Every 100th host last beat 10 minutes ago (grace is 300 s): silent. The rest beat 30 s ago.
    await seedFleet(
      env.SEATWATCH_KV,
      ids.map((id, i) => ({ id, lastSeen: i % (HOSTS / SILENT) === 0 ? now - 600_000 : now - 30_000 })),
    );
    const { kv, counts } = countingKv(env.SEATWATCH_KV);

    const report = await runCron(kv, ledgerStub(env), now);

    expect(counts.list["cfg:"]).toBeLessThanOrEqual(10);
    expect(counts.list["beat:"]).toBeLessThanOrEqual(10);
    expect(Object.keys(counts.list).sort()).toEqual(["beat:", "cfg:"]);
    expect([counts.get, counts.getWithMetadata, counts.put, counts.delete]).toEqual([0, 0, 0, 0]);
    expect(report).toMatchObject({ hostsEvaluated: HOSTS, handed: SILENT, carried: 0, ledgerRequests: 2 });
    const known = (await ledgerStub(env).status(now)).hosts;
    expect(Object.values(known).filter((h) => h.state === "silent")).toHaveLength(SILENT);
  });
});
