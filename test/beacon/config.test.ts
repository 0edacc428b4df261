import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  OBSERVE_OPTIONS,
  RUN_OPTIONS,
  runIntervals,
  WORKER_OPTIONS,
  withConfigFile,
  workerUrl,
} from "../../beacon/config.ts";
import { healthPath } from "../../beacon/health.ts";

const dir = mkdtempSync(join(tmpdir(), "seatwatch-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const known = { ...OBSERVE_OPTIONS, ...WORKER_OPTIONS, ...RUN_OPTIONS };

type Values = Record<string, string | boolean | undefined>;
const merge = (values: Values, env: NodeJS.ProcessEnv = {}) => withConfigFile(values, known, env);

function configFile(settings: unknown): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(settings));
  return path;
}

describe("the --config file", () => {
  it("fills what flags and env vars leave unset; a flag beats the env var, which beats the file", () => {
    const config = configFile({ url: "https://file.example", host: "file-host", sample: 30, "count-shells": true });

    const values = merge({ config, host: "flag-host" }, { SEATWATCH_URL: "https://env.example" });

    expect(values).toMatchObject({ host: "flag-host", sample: "30", "count-shells": true });
    expect(values.url).toBeUndefined();
    expect(workerUrl(values.url as string | undefined, { SEATWATCH_URL: "https://env.example" })).toBe(
      "https://env.example",
    );
  });

  it("resolves paths in the file against the file's directory", () => {
    const values = merge({ config: configFile({ key: "keys/host.pem" }) });
    expect(values.key).toBe(join(dir, "keys/host.pem"));
  });

  it("refuses an unknown setting, so a typo never silently does nothing", () => {
    expect(() => merge({ config: configFile({ keepAlive: 60 }) })).toThrow(/unknown setting "keepAlive"/);
  });

  it("refuses a setting of the wrong type", () => {
    expect(() => merge({ config: configFile({ url: 42 }) })).toThrow(/"url" must be a string/);
  });
});

describe("settings", () => {
  it("names both the flag and the env var when the Worker URL is missing", () => {
    expect(() => workerUrl(undefined, {})).toThrow(/--url.*SEATWATCH_URL/);
  });

  it("refuses a URL that is not http(s), or carries a query", () => {
    expect(() => workerUrl("ftp://x.example", {})).toThrow(/https/);
    expect(() => workerUrl(undefined, { SEATWATCH_URL: "https://x.example/?a=1" })).toThrow(/SEATWATCH_URL/);
    expect(workerUrl("https://x.example/base/", {})).toBe("https://x.example/base");
  });

  it("takes sub-second intervals (tests) and refuses nonsense", () => {
    expect(runIntervals({ sample: "0.2", confirm: "3", keepalive: "1.5" })).toEqual({
      sampleMs: 200,
      confirm: 3,
      keepaliveMs: 1500,
    });
    expect(runIntervals({})).toEqual({ sampleMs: 15_000, confirm: 2, keepaliveMs: 120_000 });
    expect(() => runIntervals({ sample: "0" })).toThrow(/--sample/);
    expect(() => runIntervals({ confirm: "1.5" })).toThrow(/--confirm/);
  });

  it("puts the health file in RUNTIME_DIRECTORY, else XDG_RUNTIME_DIR/seatwatch, else /run/seatwatch", () => {
    expect(healthPath({ RUNTIME_DIRECTORY: "/run/seatwatch-a:/run/other", XDG_RUNTIME_DIR: "/run/user/1" })).toBe(
      "/run/seatwatch-a/health.json",
    );
    expect(healthPath({ XDG_RUNTIME_DIR: "/run/user/1000" })).toBe("/run/user/1000/seatwatch/health.json");
    expect(healthPath({})).toBe("/run/seatwatch/health.json");
  });
});
