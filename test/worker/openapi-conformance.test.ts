/**
 * The document's request schemas and the Worker's validators agree: a body the schema accepts is
 * accepted (a client that follows the document is never refused), and a body the validator accepts
 * fits the schema (the document refuses nothing the Worker takes), with `format` read as a hint in
 * that direction (the validator parses times with Date.parse, which is laxer than date-time).
 * Probes sit on every bound the schema states; fast-check adds random JSON on top.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateBeat } from "../../protocol/beat.ts";
import { hostIdProblem } from "../../protocol/host.ts";
import type { JsonSchema } from "../../protocol/json-schema.ts";
import { decodePublicKey, decodeSecret, generateSecret } from "../../protocol/keys.ts";
import { POLICY_KEYS } from "../../protocol/policy.ts";
import { validateWebhookInput } from "../../worker/alerts/webhooks.ts";
import { validateWindow } from "../../worker/fleet/maintenance.ts";
import { validatePolicyPatch } from "../../worker/fleet/policy.ts";
import { makeBeat } from "./helpers.ts";
import { componentValidator, DOC } from "./openapi-check.ts";

const loose = new Ajv2020({ strict: false, validateFormats: false });
loose.addSchema(DOC, "openapi.json");
const looseComponent = (name: string) => {
  const validate = loose.getSchema(`openapi.json#/components/schemas/${name}`);
  if (!validate) throw new Error(`no component ${name}`);
  return validate;
};

/** Both directions for one value; returns a description of the disagreement, or null. */
function disagreement(name: string, value: unknown, accepted: (v: unknown) => boolean): string | null {
  const wire = JSON.parse(JSON.stringify(value)) as unknown;
  const byValidator = accepted(wire);
  if (componentValidator(name)(wire) && !byValidator)
    return `schema ${name} accepts, the validator refuses: ${JSON.stringify(wire)}`;
  if (byValidator && !looseComponent(name)(wire))
    return `the validator accepts, schema ${name} refuses: ${JSON.stringify(wire)}`;
  return null;
}

/** Values on and around every number, length and pattern a schema states, and the usual wrong types. */
function probes(schema: JsonSchema | undefined): unknown[] {
  const out: unknown[] = [null, true, "1", 0.5, -1, 0, 1, [], {}, "2026-12-01T06:00:00Z", "not a time", 1e300];
  const walk = (s: JsonSchema | undefined) => {
    if (!s) return;
    for (const n of [s.minimum, s.maximum, typeof s.const === "number" ? s.const : undefined]) {
      if (n !== undefined) out.push(n - 1, n, n + 1);
    }
    for (const n of [s.minLength, s.maxLength]) if (n !== undefined) out.push("a".repeat(n), "a".repeat(n + 1));
    if (s.enum) out.push(...s.enum);
    if (s.items) {
      const inner = probes(s.items);
      out.push(
        inner.slice(0, 3),
        ["ops", "ops"],
        ["ops", "db"],
        ["UPPER"],
        Array(9)
          .fill("x")
          .map((x, i) => x + i),
      );
      out.push(Array((s.maxItems ?? 0) + 1).fill(1));
    }
    for (const branch of [...(s.anyOf ?? []), ...(s.allOf ?? [])]) walk(branch);
  };
  walk(schema);
  return out;
}

describe("policy: POLICY_SCHEMA and validatePolicyPatch", () => {
  const properties = DOC.components.schemas.PolicyPatch?.properties as Record<string, JsonSchema>;
  const accepted = (v: unknown) => validatePolicyPatch(v as Record<string, unknown>).ok;

  it("agree on every probe of every field", () => {
    const problems = POLICY_KEYS.flatMap((key) =>
      probes(properties[key]).map((value) => disagreement("PolicyPatch", { [key]: value }, accepted)),
    );
    expect(problems.filter(Boolean)).toEqual([]);
  });

  it("agree on random JSON in any field, and on unknown fields", () => {
    fc.assert(
      fc.property(fc.constantFrom(...POLICY_KEYS, "minseats", "publicKey"), fc.jsonValue(), (key, value) => {
        expect(disagreement("PolicyPatch", { [key]: value }, accepted)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});

describe("beat: BEAT_SCHEMA and validateBeat", () => {
  const beat = makeBeat();
  const accepted = (v: unknown) => validateBeat(v).ok;
  const properties = DOC.components.schemas.Beat?.properties as Record<string, JsonSchema>;

  it("agree on a valid beat, with and without an error reason", () => {
    expect(validateBeat(beat).ok).toBe(true);
    for (const variant of [beat, { ...beat, observed: "error", reason: "no_server" }, { ...beat, observed: "error" }]) {
      expect(disagreement("Beat", variant, accepted)).toBeNull();
    }
  });

  it("agree on every probe of every top-level field and of a server's and the beacon's fields", () => {
    const server = beat.servers[0] as unknown as Record<string, unknown>;
    const serverSchema = (properties.servers?.items?.properties ?? {}) as Record<string, JsonSchema>;
    const beaconSchema = (properties.beacon?.properties ?? {}) as Record<string, JsonSchema>;
    const variants = [
      ...Object.keys(properties).flatMap((key) => probes(properties[key]).map((v) => ({ ...beat, [key]: v }))),
      ...Object.keys(serverSchema).flatMap((key) =>
        probes(serverSchema[key]).map((v) => ({ ...beat, servers: [{ ...server, [key]: v }] })),
      ),
      ...Object.keys(beaconSchema).flatMap((key) =>
        probes(beaconSchema[key]).map((v) => ({ ...beat, beacon: { ...beat.beacon, [key]: v } })),
      ),
      { ...beat, commands: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`c${i}`, 1])) },
      { ...beat, commands: { ["x".repeat(65)]: 1 } },
      { ...beat, binaries: [{ path: "/usr/bin/tmux", version: null }] },
    ];
    expect(variants.map((v) => disagreement("Beat", v, accepted)).filter(Boolean)).toEqual([]);
  });

  it("agree on random JSON in any field", () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(properties), "extra"), fc.jsonValue(), (key, value) => {
        expect(disagreement("Beat", { ...beat, [key]: value }, accepted)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it("agree on host ids", () => {
    const id = fc.stringMatching(/^[a-zA-Z0-9._-]{0,66}$/);
    for (const value of ["fleet", "a..b", "a.b", ".a", "A", "a".repeat(63), "a".repeat(64)]) {
      expect(disagreement("Beat", { ...beat, host: value }, accepted)).toBeNull();
    }
    fc.assert(
      fc.property(id, (host) => {
        expect(disagreement("Beat", { ...beat, host }, accepted)).toBeNull();
      }),
    );
    expect(hostIdProblem("fleet")).toBe("reserved");
  });
});

describe("webhooks: WEBHOOK_INPUT_SCHEMA and validateWebhookInput", () => {
  const accepted = (v: unknown) => validateWebhookInput(v as Record<string, unknown>).ok;
  const url = "https://hooks.example/services/T1/B2/x";
  const key = "a".repeat(32);

  it("agree on whole bodies: formats, the PagerDuty key and default URL, secrets, labels, unknown fields", () => {
    const bodies = [
      { url },
      {},
      { url, format: "slack" },
      { url, format: "nope" },
      { format: "pagerduty", routingKey: key },
      { format: "pagerduty" },
      { url, routingKey: key },
      { url, format: "pagerduty", routingKey: "short" },
      { url, secret: generateSecret() },
      { url, secret: "whsec_short" },
      { url, labels: ["ops"] },
      { url, labels: ["UPPER"] },
      { url, labels: Array.from({ length: 9 }, (_, i) => `l${i}`) },
      { url, extra: 1 },
      { url: "http://127.0.0.1:9/hook" },
      { url: "ftp://example.com/x" },
      { url: "not a url" },
      { url: `https://example.com/${"a".repeat(2048)}` },
      { url: 5 },
    ];
    expect(bodies.map((b) => disagreement("WebhookInput", b, accepted)).filter(Boolean)).toEqual([]);
  });

  it("agree on every receiver's credentials: each format's own, none of another's, chat ids as text or number", () => {
    const pushoverKey = "u".repeat(30);
    const bodies = [
      { url, format: "telegram", chatId: "-1001234567890" },
      { url, format: "telegram", chatId: -1001234567890 },
      { url, format: "telegram", chatId: "@seatwatch_ops" },
      { url, format: "telegram", chatId: 2 ** 60 },
      { url, format: "telegram" },
      { url, format: "telegram", chatId: "1", token: "x".repeat(20) },
      { format: "opsgenie", token: "0123abcd-0123-abcd-0123-0123abcd0123" },
      { format: "opsgenie" },
      { format: "pushover", token: pushoverKey, user: pushoverKey },
      { format: "pushover", token: pushoverKey },
      { format: "pushover", token: pushoverKey, user: "short" },
      { url, format: "gotify", token: "AbCdEf.123" },
      { format: "gotify", token: "AbCdEf.123" },
      { url, format: "matrix", token: "syt_abc_def" },
      { url, format: "teams" },
      { url, format: "slack", chatId: "1" },
      { url, states: ["silent", "error"] },
      { url, states: [] },
      { url, states: ["nope"] },
      { url, states: null },
      { url, format: "pagerduty", routingKey: key, user: pushoverKey },
    ];
    expect(bodies.map((b) => disagreement("WebhookInput", b, accepted)).filter(Boolean)).toEqual([]);
    expect(bodies.filter((b) => accepted(b)).length).toBeGreaterThan(6);
  });

  it("the one rule the schema only describes: plain http to a host on the internet is refused", () => {
    const body = { url: "http://alerts.example.com/hook" };
    expect(componentValidator("WebhookInput")(body)).toBe(true);
    expect(validateWebhookInput(body).ok).toBe(false);
    expect(JSON.stringify(DOC.components.schemas.WebhookInput)).toContain("http:// for a local receiver");
  });
});

describe("maintenance: WINDOW_INPUT_SCHEMA and validateWindow", () => {
  const accepted = (v: unknown) => validateWindow(v as Record<string, unknown>).ok;
  const base = { days: "mon-fri", from: "22:00", to: "06:00", tz: "Europe/Berlin" };

  it("agree on whole windows: what they pause, times, notes, unknown fields", () => {
    const bodies = [
      { ...base, hosts: ["web-1"] },
      { ...base, labels: ["db"] },
      { ...base, hosts: ["web-1"], labels: ["db"], note: "patch night" },
      base,
      { ...base, hosts: [] },
      { ...base, hosts: [], labels: [] },
      { ...base, hosts: ["Bad Host"] },
      { ...base, hosts: Array.from({ length: 101 }, (_, i) => `h${i}`) },
      { ...base, labels: ["UPPER"] },
      { ...base, hosts: ["a"], from: "24:00" },
      { ...base, hosts: ["a"], to: "6:00" },
      { ...base, hosts: ["a"], note: "x".repeat(201) },
      { ...base, hosts: ["a"], note: null },
      { ...base, hosts: ["a"], extra: 1 },
      { hosts: ["a"], from: "22:00", to: "06:00", tz: "UTC" },
    ];
    expect(bodies.map((b) => disagreement("MaintenanceInput", b, accepted)).filter(Boolean)).toEqual([]);
  });

  it("the rules the schema only describes: day names and a zone the runtime knows", () => {
    for (const body of [
      { ...base, hosts: ["a"], days: "someday" },
      { ...base, hosts: ["a"], tz: "Mars/Olympus" },
    ]) {
      expect(componentValidator("MaintenanceInput")(body)).toBe(true);
      expect(accepted(body)).toBe(false);
    }
    const described = JSON.stringify(DOC.components.schemas.MaintenanceInput);
    expect(described).toContain("mon-fri");
    expect(described).toContain("IANA");
  });
});

describe("key material: the patterns and the decoders", () => {
  const b64 = (n: number) => btoa(String.fromCharCode(...Array.from({ length: n }, (_, i) => (i * 37) % 256)));

  it("agree on public keys and secrets of every length from 0 to 70 bytes", () => {
    const change = DOC.components.schemas.HostChange?.properties as Record<string, JsonSchema>;
    const keyOk = componentValidator("EnrollRequest");
    const problems: string[] = [];
    for (let n = 0; n <= 70; n++) {
      for (const text of [`whpk_${b64(n)}`, b64(n), `whpk_${b64(n).replace(/=+$/, "")}`]) {
        const request = { host: "box-1", publicKey: text, token: "t" };
        if (keyOk(request) !== (decodePublicKey(text) !== null)) problems.push(`publicKey ${text}`);
      }
      for (const text of [`whsec_${b64(n)}`, b64(n), `whsec_${b64(n).replace(/=+$/, "")}`]) {
        const body = { url: "https://example.com/h", secret: text };
        if (componentValidator("WebhookInput")(body) !== (decodeSecret(text) !== null)) problems.push(`secret ${text}`);
      }
    }
    expect(change.publicKey).toBeDefined();
    expect(problems).toEqual([]);
  });
});
