import { describe, it } from "vitest";
import { call, expectError, TEST_ADMIN_TOKEN } from "./helpers.ts";

const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

describe("request bodies", () => {
  it("measures an admin body in bytes, not characters", async () => {
    // 5,000 characters, 15,000 bytes: under the 8 KiB limit by length, over it by size.
    const body = JSON.stringify({ labels: ["€".repeat(5000)] });
    const res = await call("/v1/hosts/body-1", {
      method: "PUT",
      headers: { ...auth, "content-type": "application/json" },
      body,
    });
    await expectError(res, 413, "payload_too_large");
  });

  it("refuses an enrollment whose streamed body passes the limit without declaring a length", async () => {
    const res = await call("/v1/enroll", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": "e1",
        "webhook-timestamp": "1",
        "webhook-signature": "v1a,AAAA",
      },
      body: new Blob([" ".repeat(5000)]).stream(),
      duplex: "half",
    } as RequestInit);
    await expectError(res, 413, "payload_too_large");
  });
});
