/**
 * Issue 12 item 8: every input is checked strictly, and a refused one changes nothing. One test
 * per input the hostile review found taken loosely.
 */
import { describe, expect, it } from "vitest";
import { enroll, expectError, kvSnapshot, sendBeat } from "./helpers.ts";

describe("webhook-timestamp", () => {
  it("is refused with 401 malformed_signature unless it is the canonical decimal the signature covers", async () => {
    const host = await enroll("strict-ts");
    const seconds = Math.floor(Date.now() / 1000);
    const before = await kvSnapshot();
    const res = await sendBeat(host, {}, { timestamp: seconds, headers: { "webhook-timestamp": `0${seconds}` } });
    await expectError(res, 401, "malformed_signature");
    expect(await kvSnapshot()).toEqual(before);
    expect((await sendBeat(host, {}, { timestamp: seconds })).status).toBe(202);
  });
});
