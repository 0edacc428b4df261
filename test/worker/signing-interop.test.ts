import { describe, expect, it } from "vitest";
import { decodePublicKey, importPublicKey, privateKeyFromPem, publicKeyOf } from "../../protocol/keys.ts";
import { isHeaderProblem, parseSignatureHeaders, signV1a, verifyV1a } from "../../protocol/signing.ts";
import fixture from "../fixtures/v1a-interop.json";

describe("v1a interop between node:crypto and workerd", () => {
  it("verifies inside workerd a signature made by node:crypto", async () => {
    const headers: Record<string, string> = {
      "webhook-id": fixture.id,
      "webhook-timestamp": String(fixture.timestamp),
      "webhook-signature": fixture.signature,
    };
    const parsed = parseSignatureHeaders((name) => headers[name]);
    if (isHeaderProblem(parsed)) throw new Error(parsed.message);
    const key = await importPublicKey(
      decodePublicKey(fixture.publicKey) as NonNullable<ReturnType<typeof decodePublicKey>>,
    );
    expect(await verifyV1a(key, parsed, fixture.body)).toBe(true);
    expect(await verifyV1a(key, parsed, `${fixture.body} `)).toBe(false);
  });

  it("makes inside workerd exactly the signature node:crypto made from the same key", async () => {
    const privateKey = await privateKeyFromPem(fixture.privateKeyPem);
    expect(await publicKeyOf(privateKey)).toBe(fixture.publicKey);
    const headers = await signV1a(privateKey, fixture.id, fixture.timestamp, fixture.body);
    expect(headers["webhook-signature"]).toBe(fixture.signature);
  });
});
