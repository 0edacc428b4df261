import { describe, expect, it } from "vitest";
import { call, enroll, sendBeat } from "./helpers.ts";

/** More hosts than one KV bulk get takes (100 keys), so the histories come in two calls. */
const HOSTS = 130;

describe("GET / with more hosts than one bulk read holds", () => {
  it("draws a sparkline for every host", async () => {
    for (let i = 0; i < HOSTS; i++) {
      const host = await enroll(`many-${String(i).padStart(3, "0")}`);
      // One client address per host keeps the per-IP limiter out of this test.
      const res = await sendBeat(
        host,
        { seats: 1 + (i % 5) },
        { headers: { "cf-connecting-ip": `10.0.${i >> 8}.${i & 255}` } },
      );
      expect(res.status).toBe(202);
    }
    const html = await (await call("/")).text();
    expect(html.match(/<tr class="host /g)).toHaveLength(HOSTS);
    expect(html.match(/<polyline /g)).toHaveLength(HOSTS);
    expect(html).not.toContain("no history");
  });
});
