import { describe, expect, it } from "vitest";
import { judgeBurn } from "../../worker/fleet/token-book.ts";

const T = Date.parse("2027-01-01T00:00:00Z");
const fresh = { hash: "h1", expiresAt: T + 60_000, usedAt: null };

describe("judgeBurn", () => {
  it("burns an unused, unexpired token whose hash matches", () => {
    expect(judgeBurn(fresh, "h1", T)).toBe("burned");
  });

  it("says used for a token already burned, so a second use is a 409 and not a 401", () => {
    expect(judgeBurn({ ...fresh, usedAt: T - 1 }, "h1", T)).toBe("used");
  });

  it("says unknown for no token, another hash, or a token at or past its expiry", () => {
    expect(judgeBurn(null, "h1", T)).toBe("unknown");
    expect(judgeBurn(fresh, "h2", T)).toBe("unknown");
    expect(judgeBurn(fresh, "h1", T + 60_000)).toBe("unknown");
    expect(judgeBurn({ ...fresh, usedAt: T }, "h1", T + 60_000)).toBe("unknown");
  });
});
