import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeyFile } from "../../beacon/keyfile.ts";
import { FORBIDDEN, verifyUnit } from "./systemd.ts";

const ROOT = resolve(import.meta.dirname, "../..");

function beacon(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "beacon/cli.ts", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, SEATWATCH_HOST: "unit-box", ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dir: string;
let key: string;
let exec: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "seatwatch-unit-"));
  key = join(dir, "key.pem");
  await createKeyFile(key);
  exec = join(dir, "seatwatch-beacon.cjs");
  writeFileSync(exec, "#!/usr/bin/env node\n", { mode: 0o755 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("unit", () => {
  it("prints a unit that passes systemd-analyze verify and carries §3's settings", () => {
    const run = beacon(["unit", "--url", "https://seatwatch.example.com", "--key", key, "--exec", exec]);

    expect(run.code).toBe(0);
    const verify = verifyUnit(dir, run.stdout);
    expect(verify.output).toBe("");
    expect(verify.code).toBe(0);
    for (const line of [
      "Restart=always",
      "RestartSec=10",
      "RuntimeDirectory=seatwatch",
      'Environment="LANG=C.UTF-8"',
    ]) {
      expect(run.stdout.split("\n")).toContain(line);
    }
    expect(run.stdout).toContain(
      `ExecStart=${realpathSync(process.execPath)} --jitless --no-expose-wasm ${exec} run\n`,
    );
    expect(run.stdout).toContain('Environment="SEATWATCH_URL=https://seatwatch.example.com"');
    expect(run.stdout).toContain(`Environment="SEATWATCH_KEY=${key}"`);
    expect(run.stdout).toContain('Environment="SEATWATCH_HOST=unit-box"');
  });

  it("starts as Type=exec, logs as seatwatch-beacon and names the README beside the beacon as its documentation", () => {
    const installed = join(dir, "pkg", "dist");
    mkdirSync(installed, { recursive: true });
    const file = join(installed, "seatwatch-beacon.cjs");
    writeFileSync(file, "");
    writeFileSync(join(dir, "pkg", "README.md"), "# seatwatch\n");

    const run = beacon(["unit", "--url", "https://seatwatch.example.com", "--key", key, "--exec", file]);

    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines).toContain("Type=exec");
    expect(lines).toContain("SyslogIdentifier=seatwatch-beacon");
    expect(lines).toContain(`Documentation=file://${realpathSync(join(dir, "pkg", "README.md"))}`);
    expect(verifyUnit(dir, run.stdout)).toEqual({ code: 0, output: "" });
  });

  it("contains none of the options that hide tmux sockets or /proc, or break V8", () => {
    const run = beacon(["unit", "--url", "https://seatwatch.example.com", "--key", key, "--exec", exec]);
    expect(run.code).toBe(0);
    for (const forbidden of FORBIDDEN) expect(run.stdout).not.toMatch(forbidden);
  });

  it("passes run's options on to ExecStart, escaped for systemd, and still verifies", () => {
    const run = beacon([
      "unit",
      "--url",
      "https://seatwatch.example.com/100%",
      "--key",
      key,
      "--exec",
      exec,
      "--seat-command",
      "^(claude|node)$",
      "--sample",
      "30",
      "--tmux",
      "/usr/bin/tmux",
      "-L",
      "agents",
    ]);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^ExecStart=\S+ --jitless --no-expose-wasm \S+ run --tmux \/usr\/bin\/tmux -L agents --seat-command "\^\(claude\|node\)\$\$" --sample 30$/m,
    );
    expect(run.stdout).toContain('Environment="SEATWATCH_URL=https://seatwatch.example.com/100%%"');
    expect(verifyUnit(dir, run.stdout).code).toBe(0);
  });

  it("refuses an --exec file that does not exist", () => {
    const run = beacon(["unit", "--url", "https://x.example", "--key", key, "--exec", join(dir, "nope.mjs")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("nope.mjs: no such file");
  });

  it("refuses to point ExecStart at the TypeScript source and says how to build the one-file beacon", () => {
    const run = beacon(["unit", "--url", "https://x.example", "--key", key]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("npm run build:beacon");
  });

  it("needs the URL, naming the flag and the env var", () => {
    const run = beacon(["unit", "--key", key, "--exec", exec]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--url.*SEATWATCH_URL/);
  });

  it("pins the PATH of the login shell in the drop-in", () => {
    const home = mkdtempSync(join(dir, "home-"));
    writeFileSync(join(home, ".bash_profile"), "export PATH=/opt/seatwatch-test/bin:$PATH\n");

    const run = beacon(["unit", "--drop-in"], { HOME: home, SHELL: "/bin/bash" });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain("[Service]\n");
    expect(run.stdout).toMatch(/^Environment="PATH=\/opt\/seatwatch-test\/bin:[^"]*\/usr\/bin[^"]*"$/m);
  });

  it("prints {unit, dropIn} with --json", () => {
    const run = beacon(["unit", "--json", "--url", "https://x.example", "--key", key, "--exec", exec]);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(Object.keys(printed).sort()).toEqual(["dropIn", "unit"]);
    expect(printed.unit).toContain("[Service]");
    expect(printed.dropIn).toMatch(/^Environment="PATH=/m);
  });

  it("leaves settings that come from --config in the file and passes --config on", () => {
    const config = join(dir, "beacon.json");
    writeFileSync(config, JSON.stringify({ url: "https://from-file.example", key: "key.pem", host: "file-host" }));

    const run = beacon(["unit", "--config", config, "--exec", exec], { SEATWATCH_HOST: undefined });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(` run --config ${config}\n`);
    expect(run.stdout).not.toContain("SEATWATCH_URL");
    expect(run.stdout).not.toContain("SEATWATCH_HOST");
  });
});
