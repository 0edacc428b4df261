import { createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { type Bytes, bytesToBase64 } from "../../protocol/base64.ts";
import {
  decodePublicKey,
  encodePublicKey,
  generateKeyPair,
  generateSecret,
  importPublicKey,
  privateKeyFromPem,
  privateKeyToPem,
  publicKeyOf,
} from "../../protocol/keys.ts";
import {
  isHeaderProblem,
  type ParsedSignature,
  parseSignatureHeaders,
  type SignatureHeaders,
  signV1,
  signV1a,
  verifyV1,
  verifyV1a,
} from "../../protocol/signing.ts";

function parse(headers: Record<string, string>): ParsedSignature {
  const parsed = parseSignatureHeaders((name) => headers[name]);
  if (isHeaderProblem(parsed)) throw new Error(parsed.message);
  return parsed;
}

describe("v1 (HMAC-SHA256) interop with the Standard Webhooks spec", () => {
  // The test vector published in the Standard Webhooks spec and used by its reference libraries.
  const vector = {
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
    timestamp: 1614265330,
    payload: '{"test": 2432232314}',
    signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  };

  it("produces the spec's published signature for its test vector", async () => {
    const headers = await signV1(vector.secret, vector.id, vector.timestamp, vector.payload);
    expect(headers["webhook-signature"]).toBe(vector.signature);
  });

  it("verifies the spec's published signature", async () => {
    const parsed = parse({
      "webhook-id": vector.id,
      "webhook-timestamp": String(vector.timestamp),
      "webhook-signature": vector.signature,
    });
    expect(await verifyV1(vector.secret, parsed, vector.payload)).toBe(true);
  });

  it("verifies signatures made by the official standardwebhooks package, and the reverse", async () => {
    const secret = generateSecret();
    const wh = new Webhook(secret);
    const now = new Date();
    const timestamp = Math.floor(now.getTime() / 1000);
    const body = JSON.stringify({ type: "test", host: "box-1" });
    const theirs = wh.sign("msg_1", now, body);
    expect(
      await verifyV1(
        secret,
        parse({ "webhook-id": "msg_1", "webhook-timestamp": String(timestamp), "webhook-signature": theirs }),
        body,
      ),
    ).toBe(true);
    const ours: SignatureHeaders = await signV1(secret, "msg_2", timestamp, body);
    expect(wh.verify(body, { ...ours })).toEqual(JSON.parse(body));
  });
});

describe("v1a (Ed25519)", () => {
  it("round-trips any body and refuses it after any one-byte change", async () => {
    const pair = await generateKeyPair();
    const publicKey = await importPublicKey(decodePublicKey(pair.publicKey) as Bytes);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 512 }), fc.nat(), async (body, at) => {
        const parsed = parse({ ...(await signV1a(pair.privateKey, "beat_1", 1_700_000_000, body)) });
        expect(await verifyV1a(publicKey, parsed, body)).toBe(true);
        const changed = body.slice();
        changed[at % changed.length] = (changed[at % changed.length] as number) ^ 1;
        expect(await verifyV1a(publicKey, parsed, changed)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it("verifies signatures made with node:crypto, and node:crypto verifies ours", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    const content = Buffer.from('beat_9.1700000000.{"v":1}');
    const theirs = nodeSign(null, content, privateKey);
    const parsed = parse({
      "webhook-id": "beat_9",
      "webhook-timestamp": "1700000000",
      "webhook-signature": `v1a,${theirs.toString("base64")}`,
    });
    expect(await verifyV1a(await importPublicKey(new Uint8Array(raw)), parsed, '{"v":1}')).toBe(true);

    const ours = await generateKeyPair();
    const headers = await signV1a(ours.privateKey, "beat_9", 1700000000, '{"v":1}');
    const sig = Buffer.from(headers["webhook-signature"].slice(4), "base64");
    const spki = Buffer.concat([
      Buffer.from("302a300506032b6570032100", "hex"),
      decodePublicKey(ours.publicKey) as Uint8Array,
    ]);
    expect(nodeVerify(null, content, createPublicKey({ key: spki, format: "der", type: "spki" }), sig)).toBe(true);
  });

  it("accepts a header with a rotated key's signature beside the current one", async () => {
    const [oldPair, newPair] = [await generateKeyPair(), await generateKeyPair()];
    const a = await signV1a(oldPair.privateKey, "b", 1, "x");
    const b = await signV1a(newPair.privateKey, "b", 1, "x");
    const parsed = parse({ ...a, "webhook-signature": `${a["webhook-signature"]} ${b["webhook-signature"]}` });
    const newKey = await importPublicKey(decodePublicKey(newPair.publicKey) as Bytes);
    expect(await verifyV1a(newKey, parsed, "x")).toBe(true);
  });

  it("keeps a private key through PEM and derives the same public key", async () => {
    const pair = await generateKeyPair();
    const again = await privateKeyFromPem(await privateKeyToPem(pair.privateKey));
    expect(await publicKeyOf(again)).toBe(pair.publicKey);
  });

  it("encodes public keys as whpk_ + base64 of 32 raw bytes and rejects anything else", () => {
    const raw = new Uint8Array(32).fill(7);
    expect(encodePublicKey(raw)).toBe(`whpk_${bytesToBase64(raw)}`);
    expect(decodePublicKey(encodePublicKey(raw))).toEqual(raw);
    expect(decodePublicKey(`whpk_${bytesToBase64(new Uint8Array(31))}`)).toBeNull();
    expect(decodePublicKey("ssh-ed25519 AAAA")).toBeNull();
  });
});

describe("parseSignatureHeaders", () => {
  const good = {
    "webhook-id": "b1",
    "webhook-timestamp": "1700000000",
    "webhook-signature": `v1a,${bytesToBase64(new Uint8Array(64))}`,
  };

  it("names each missing header", () => {
    const result = parseSignatureHeaders((name) => ({ ...good, "webhook-timestamp": "" })[name as keyof typeof good]);
    expect(result).toMatchObject({ code: "missing_signature" });
    expect(isHeaderProblem(result) && result.message).toContain("webhook-timestamp");
  });

  it("refuses five signatures, garbled base64 and non-numeric timestamps", () => {
    const five = Array(5).fill(good["webhook-signature"]).join(" ");
    for (const bad of [
      { "webhook-signature": five },
      { "webhook-signature": "v1a,not base64!" },
      { "webhook-signature": "garbage" },
      { "webhook-timestamp": "17e8" },
      { "webhook-id": "has space" },
    ]) {
      const headers: Record<string, string> = { ...good, ...bad };
      expect(parseSignatureHeaders((name) => headers[name])).toMatchObject({ code: "malformed_signature" });
    }
  });

  it("refuses a webhook-timestamp that is not the canonical decimal the signature covers", () => {
    // "01700000000" is the number 1700000000, but the signed content names it "1700000000".
    for (const timestamp of ["01700000000", "00", "0001", " 1700000000", "1700000000 ", "+1700000000"]) {
      const headers: Record<string, string> = { ...good, "webhook-timestamp": timestamp };
      expect(
        parseSignatureHeaders((name) => headers[name]),
        timestamp,
      ).toMatchObject({
        code: "malformed_signature",
      });
    }
  });

  it("takes any canonical webhook-timestamp back as the number it names", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999 }), (seconds) => {
        const headers: Record<string, string> = { ...good, "webhook-timestamp": String(seconds) };
        expect(parse(headers).timestamp).toBe(seconds);
      }),
    );
  });

  it("accepts four signatures", () => {
    const four = Array(4).fill(good["webhook-signature"]).join(" ");
    const headers: Record<string, string> = { ...good, "webhook-signature": four };
    expect(isHeaderProblem(parseSignatureHeaders((name) => headers[name]))).toBe(false);
  });
});

describe("the v1a interop fixture used by the workerd tests", () => {
  it("is a genuine node:crypto signature over the Standard Webhooks signed content", async () => {
    const { createPrivateKey } = await import("node:crypto");
    const fixture = (await import("../fixtures/v1a-interop.json")).default;
    const key = createPrivateKey(fixture.privateKeyPem);
    const content = Buffer.from(`${fixture.id}.${fixture.timestamp}.${fixture.body}`);
    expect(`v1a,${nodeSign(null, content, key).toString("base64")}`).toBe(fixture.signature);
    expect(nodeVerify(null, content, createPublicKey(key), Buffer.from(fixture.signature.slice(4), "base64"))).toBe(
      true,
    );
  });
});
