import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createKeyFile } from "../../beacon/keyfile.ts";
import { DAEMON_NODE_FLAGS } from "../../beacon/unit.ts";
import { validateBeat } from "../../protocol/beat.ts";
import { buildBeacon } from "../../scripts/build-beacon.ts";
import { startConnectProxy } from "../support/connect-proxy.ts";
import { startFailingWorkerFake } from "./fakes/failing-worker-fake.ts";
import { Lab, TMUX } from "./lab.ts";
import { FORBIDDEN, verifyUnit } from "./systemd.ts";

/** A self-signed certificate for 127.0.0.1 (valid to 2126), for https through the proxy. */
const FIXTURES = join(import.meta.dirname, "fixtures");
let dir: string;
let file: string;
let lab: Lab | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "seatwatch-dist-"));
  file = join(dir, "seatwatch-beacon.cjs");
  await buildBeacon(file);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => lab?.cleanup());

/** Runs the built file with plain node from an empty directory, with nothing but PATH in the environment. */
function built(args: string[], env: NodeJS.ProcessEnv = {}, nodeFlags: readonly string[] = []) {
  const cwd = mkdtempSync(join(dir, "empty-"));
  const result = spawnSync(process.execPath, [...nodeFlags, file, ...args], {
    cwd,
    env: { PATH: process.env.PATH, SEATWATCH_HOST: "dist-box", ...env },
    encoding: "utf8",
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** As `built`, without blocking the event loop: the fake Worker and the proxy live in this process. */
function builtAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string }> {
  const cwd = mkdtempSync(join(dir, "empty-"));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [file, ...args],
      { cwd, env: { PATH: process.env.PATH, SEATWATCH_HOST: "dist-box", ...env }, timeout: 20_000 },
      (error, stdout) => resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout }),
    );
  });
}

describe("the one-file beacon (npm run build:beacon)", () => {
  it("has no node_modules within reach, so everything it runs is inside the file", () => {
    for (let d = dir; d !== dirname(d); d = dirname(d)) expect(existsSync(join(d, "node_modules"))).toBe(false);
    expect(readFileSync(file, "utf8")).not.toMatch(/(from\s+|require\()["']undici["']/);
  });

  it("speaks HTTP with Node's own client: no undici in it, under 200 KiB (with undici's proxy agent it was 573 KiB)", () => {
    expect(statSync(file).size).toBeLessThan(200 * 1024);
    expect(readFileSync(file, "utf8")).not.toMatch(/undici\/lib\//);
  });

  it("pushes once through a CONNECT proxy from an empty directory", async () => {
    lab = new Lab();
    const server = lab.start(["agent"]);
    const keyFile = join(dir, "proxy-key.pem");
    const publicKey = await createKeyFile(keyFile);
    const worker = await startFailingWorkerFake(publicKey, "accept");
    const proxy = await startConnectProxy();
    try {
      const run = await builtAsync(
        ["once", "--json", "--url", worker.url, "--key", keyFile, "--tmux", TMUX, "--socket", server.socket],
        { HTTP_PROXY: proxy.url, NO_PROXY: "" },
      );

      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ accepted: true, state: "up" });
      expect(proxy.targets).toEqual([new URL(worker.url).host]);
      expect(worker.requests.map((r) => r.verified)).toEqual([true]);
    } finally {
      await proxy.close();
      await worker.close();
    }
  });

  it("pushes to an https Worker through a CONNECT proxy, checking its certificate inside the tunnel", async () => {
    lab = new Lab();
    const server = lab.start(["agent"]);
    const keyFile = join(dir, "tls-proxy-key.pem");
    const publicKey = await createKeyFile(keyFile);
    const cert = join(FIXTURES, "tls-127.0.0.1.crt");
    const tls = { key: readFileSync(join(FIXTURES, "tls-127.0.0.1.key"), "utf8"), cert: readFileSync(cert, "utf8") };
    const worker = await startFailingWorkerFake(publicKey, "accept", tls);
    const proxy = await startConnectProxy();
    const args = ["once", "--json", "--url", worker.url, "--key", keyFile, "--tmux", TMUX, "--socket", server.socket];
    try {
      const trusted = await builtAsync(args, { HTTPS_PROXY: proxy.url, NO_PROXY: "", NODE_EXTRA_CA_CERTS: cert });
      expect(trusted.code).toBe(0);
      expect(JSON.parse(trusted.stdout)).toMatchObject({ accepted: true, state: "up" });
      expect(proxy.targets).toEqual([new URL(worker.url).host]);
      expect(worker.requests.map((r) => r.verified)).toEqual([true]);

      // Without the certificate trusted, the tunnel holds but TLS inside it refuses the Worker: nothing is sent.
      const untrusted = await builtAsync(args, { HTTPS_PROXY: proxy.url, NO_PROXY: "" });
      expect(untrusted.code).not.toBe(0);
      expect(proxy.targets).toHaveLength(2);
      expect(worker.requests).toHaveLength(1);
    } finally {
      await proxy.close();
      await worker.close();
    }
  });

  it("runs once --dry-run --json from an empty directory with plain node", () => {
    lab = new Lab();
    const server = lab.start(["agent", "agent", "shell"]);

    const run = built(["once", "--dry-run", "--json", "--tmux", TMUX, "--socket", server.socket]);

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const beat = JSON.parse(run.stdout);
    expect(validateBeat(beat).ok).toBe(true);
    expect(beat).toMatchObject({ host: "dist-box", observed: "ok", seats: 2, idle: 1 });
  });

  it("is built as an ES module too, under the name earlier hosts installed, and that file samples the same", async () => {
    const esm = join(dir, "seatwatch-beacon.mjs");
    await buildBeacon(esm);
    lab = new Lab();
    const server = lab.start(["agent", "agent", "shell"]);
    const args = ["once", "--dry-run", "--json", "--tmux", TMUX, "--socket", server.socket];
    const cwd = mkdtempSync(join(dir, "empty-"));
    const env = { PATH: process.env.PATH, SEATWATCH_HOST: "dist-box" };
    const run = spawnSync(process.execPath, [esm, ...args], { cwd, env, encoding: "utf8", timeout: 20_000 });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ host: "dist-box", observed: "ok", seats: 2, idle: 1 });
    expect(readFileSync(esm, "utf8")).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect(readFileSync(esm, "utf8")).not.toMatch(/\brequire\(/);
  }, 60_000);

  it("samples under the node flags the unit runs it with, and node says nothing about them", () => {
    lab = new Lab();
    const server = lab.start(["agent"]);

    const run = built(
      ["once", "--dry-run", "--json", "--tmux", TMUX, "--socket", server.socket],
      {},
      DAEMON_NODE_FLAGS,
    );

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ observed: "ok", seats: 1 });
  });

  it("prints its version from package.json with --version", () => {
    const run = built(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`seatwatch-beacon ${JSON.parse(readFileSync("package.json", "utf8")).version}\n`);
  });

  it("is executable and starts with a node shebang", () => {
    expect(readFileSync(file, "utf8").split("\n", 1)[0]).toBe("#!/usr/bin/env node");
    expect(statSync(file).mode & 0o111).toBe(0o111);
    const run = spawnSync(file, ["--help"], { encoding: "utf8", env: { PATH: process.env.PATH } });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("usage: seatwatch-beacon");
  });

  it("prints a unit whose ExecStart runs the built file itself, and it verifies", async () => {
    const key = join(dir, "key.pem");
    await createKeyFile(key);

    const run = built(["unit", "--url", "https://seatwatch.example.com", "--key", key]);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^ExecStart=\\S+/node --jitless --no-expose-wasm ${file} run$`, "m"));
    for (const forbidden of FORBIDDEN) expect(run.stdout).not.toMatch(forbidden);
    expect(verifyUnit(dir, run.stdout)).toEqual({ code: 0, output: "" });
  });
});
