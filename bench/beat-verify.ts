/**
 * The beat path's own compute (header parse, JSON parse, Ed25519 verify, schema, verdict) with no
 * storage, in Node's WebCrypto — the part that counts against a Worker's CPU limit, since KV waits
 * are I/O. Baseline in the same run: JSON.parse of the same body alone.
 */
import type { Bytes } from "../protocol/base64.ts";
import { validateBeat } from "../protocol/beat.ts";
import { decodePublicKey, generateKeyPair, importPublicKey } from "../protocol/keys.ts";
import { DEFAULT_POLICY } from "../protocol/policy.ts";
import { isHeaderProblem, parseSignatureHeaders, verifyV1a } from "../protocol/signing.ts";
import { verdict } from "../protocol/verdict.ts";
import { makeBeat } from "../test/support/beats.ts";

const N = 2000;
const pair = await generateKeyPair();
const key = await importPublicKey(decodePublicKey(pair.publicKey) as Bytes);
const { signV1a } = await import("../protocol/signing.ts");
const text = JSON.stringify(makeBeat());
const body = new TextEncoder().encode(text) as Bytes;
const headers: Record<string, string> = { ...(await signV1a(pair.privateKey, "b1", 1_700_000_000, body)) };

function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

let start = cpu();
for (let i = 0; i < N; i++) JSON.parse(new TextDecoder().decode(body));
const baseline = (cpu() - start) / N;

start = cpu();
for (let i = 0; i < N; i++) {
  const parsed = parseSignatureHeaders((name) => headers[name]);
  if (isHeaderProblem(parsed) || !(await verifyV1a(key, parsed, body))) throw new Error("verify failed");
  const result = validateBeat(JSON.parse(new TextDecoder().decode(body)));
  if (!result.ok) throw new Error("invalid");
  verdict(
    { seats: result.value.seats, observed: result.value.observed, lastSeen: Date.now() },
    DEFAULT_POLICY,
    Date.now(),
  );
}
const path = (cpu() - start) / N;
console.log(`beat path compute in Node (${N} beats, ${body.length}-byte body)`);
console.log(`  JSON.parse only (baseline): ${(baseline * 1000).toFixed(1)} µs CPU per beat`);
console.log(`  headers + Ed25519 verify + parse + schema + verdict: ${(path * 1000).toFixed(1)} µs CPU per beat`);
console.log(
  `  ratio: ${(path / baseline).toFixed(1)}×; share of the Free plan's 10 ms CPU: ${((path / 10) * 100).toFixed(1)}%`,
);
