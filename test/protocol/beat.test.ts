import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateBeat } from "../../protocol/beat.ts";
import { makeBeat } from "../support/beats.ts";

const hostId = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,62}$/).filter((id) => id !== "fleet");
const count = fc.integer({ min: 0, max: 100_000 });

const validBeat = fc.record({
  v: fc.constant(1 as const),
  host: hostId,
  instance: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
  seq: fc.nat(),
  ts: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  seats: count,
  idle: count,
  commands: fc.dictionary(fc.string({ minLength: 1, maxLength: 64 }), count, { maxKeys: 20 }),
  observed: fc.constant("ok" as const),
  servers: fc.array(
    fc.record({
      pid: fc.integer({ min: 1, max: 2 ** 31 }),
      exe: fc.string({ maxLength: 100 }),
      version: fc.string({ maxLength: 64 }),
      socket: fc.string({ maxLength: 100 }),
      panes: count,
      dead: count,
    }),
    { maxLength: 5 },
  ),
  beacon: fc.record({ version: fc.string({ maxLength: 32 }), node: fc.string({ maxLength: 32 }), uid: fc.nat() }),
});

describe("validateBeat", () => {
  it("accepts every well-formed beat and returns it unchanged", () => {
    fc.assert(
      fc.property(validBeat, (beat) => {
        const result = validateBeat(JSON.parse(JSON.stringify(beat)));
        expect(result).toEqual({ ok: true, value: beat });
      }),
    );
  });

  it("rejects any beat with one numeric field pushed out of range, naming that field", () => {
    const fields = ["seats", "idle", "seq", "ts"] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...fields),
        fc.oneof(fc.integer({ max: -1 }), fc.constant(1.5), fc.constant("3"), fc.constant(null)),
        (field, bad) => {
          const result = validateBeat({ ...makeBeat(), [field]: bad });
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.errors.map((e) => e.field)).toContain(field);
        },
      ),
    );
  });

  it("never throws on arbitrary JSON input", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(typeof validateBeat(value).ok).toBe("boolean");
      }),
    );
  });

  it("requires a reason when observed is error and refuses one when observed is ok", () => {
    expect(validateBeat({ ...makeBeat(), observed: "error" }).ok).toBe(false);
    expect(validateBeat({ ...makeBeat(), observed: "ok", reason: "no_server" }).ok).toBe(false);
    expect(validateBeat({ ...makeBeat(), observed: "error", reason: "no_server" }).ok).toBe(true);
  });

  it("refuses reasons that are not snake_case codes", () => {
    for (const reason of ["No Server", "x".repeat(65), "1abc", "", "no-server"]) {
      expect(validateBeat({ ...makeBeat(), observed: "error", reason }).ok).toBe(false);
    }
  });

  it("refuses more than 20 command entries", () => {
    const commands = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`cmd${i}`, 1]));
    expect(validateBeat({ ...makeBeat(), commands }).ok).toBe(false);
  });

  it("refuses host ids that are not already canonical", () => {
    for (const host of ["Box-1", "bøx", "a/b", "a..b", "x".repeat(64), "fleet", "-a", ""]) {
      const result = validateBeat({ ...makeBeat(), host });
      expect(result.ok, host).toBe(false);
    }
  });

  it("drops unknown top-level fields instead of storing them", () => {
    const result = validateBeat({ ...makeBeat(), extra: "x" });
    expect(result.ok && "extra" in result.value).toBe(false);
  });
});

describe("validateBeat with hostile command names", () => {
  it("keeps a command named __proto__ as data", () => {
    const result = validateBeat({ ...makeBeat(), commands: JSON.parse('{"__proto__":2}') });
    expect(result.ok && Object.keys(result.value.commands)).toEqual(["__proto__"]);
    expect(result.ok && Object.getPrototypeOf(result.value.commands)).toBe(Object.prototype);
  });
});
