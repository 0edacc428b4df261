import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createKeyFile, loadKeyFile } from "../../beacon/keyfile.ts";
import { privateKeyFromPem, publicKeyOf } from "../../protocol/keys.ts";

const ROOT = resolve(import.meta.dirname, "../..");

function beacon(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "beacon/cli.ts", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, SEATWATCH_HOST: "key-box", ...env },
    encoding: "utf8",
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "seatwatch-key-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A URL nothing listens on: the key check must refuse before any request is made. */
const NOWHERE = "http://127.0.0.1:9";

describe("keygen", () => {
  it("writes a 0600 PKCS#8 key owned by the user (directory 0700) and prints its whpk_ public key", async () => {
    const key = join(dir, "sub", "key.pem");

    const run = beacon(["keygen", "--key", key]);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^whpk_[A-Za-z0-9+/]{43}=\n$/);
    const stats = statSync(key);
    expect(stats.mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "sub")).mode & 0o777).toBe(0o700);
    expect(stats.uid).toBe(process.getuid?.());
    const derived = await publicKeyOf(await privateKeyFromPem(readFileSync(key, "utf8")));
    expect(run.stdout.trim()).toBe(derived);
  });

  it("takes the path from SEATWATCH_KEY and prints JSON with --json", () => {
    const key = join(dir, "env.pem");
    const run = beacon(["keygen", "--json"], { SEATWATCH_KEY: key });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ key, publicKey: expect.stringMatching(/^whpk_/) });
  });

  it("never overwrites an existing key, and names its public key", async () => {
    const key = join(dir, "key.pem");
    const publicKey = await createKeyFile(key);
    const before = readFileSync(key, "utf8");

    const run = beacon(["keygen", "--key", key]);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(publicKey);
    expect(readFileSync(key, "utf8")).toBe(before);
  });
});

describe("a key file the beacon refuses", () => {
  it("refuses a key readable by group/others and prints the exact chmod", async () => {
    const key = join(dir, "key.pem");
    await createKeyFile(key);
    chmodSync(key, 0o644);

    const run = beacon(["run", "--url", NOWHERE, "--key", key]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("mode 0644");
    expect(run.stderr).toContain(`chmod 600 ${key}`);
  });

  it("refuses a key owned by another user and prints the exact chown", async () => {
    const key = join(dir, "key.pem");
    await createKeyFile(key);
    chownSync(key, 65534, 65534);

    const run = beacon(["once", "--url", NOWHERE, "--key", key]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("uid 65534");
    expect(run.stderr).toContain(`chown root ${key}`);
    expect(run.stderr).not.toContain("chmod");
  });

  it("lists both fixes, owner first, when both are wrong", async () => {
    const key = join(dir, "key.pem");
    await createKeyFile(key);
    chownSync(key, 65534, 65534);
    chmodSync(key, 0o640);
    await expect(loadKeyFile(key)).rejects.toThrow(/chown root .*\n.*chmod 600/s);
  });

  it("quotes a path with spaces in the fix so it can be pasted", async () => {
    const key = join(dir, "my keys", "key.pem");
    await createKeyFile(key);
    chmodSync(key, 0o604);
    await expect(loadKeyFile(key)).rejects.toThrow(`chmod 600 '${key}'`);
  });

  it("says how to create a missing key file", async () => {
    const key = join(dir, "missing.pem");
    const run = beacon(["run", "--url", NOWHERE, "--key", key]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`key file ${key} does not exist`);
    expect(run.stderr).toContain("keygen --key");
  });

  it("refuses a file that is not an Ed25519 PEM key", async () => {
    const key = join(dir, "junk.pem");
    writeFileSync(key, "not a key\n", { mode: 0o600 });
    await expect(loadKeyFile(key)).rejects.toThrow(/not an Ed25519 private key/);
  });

  it("accepts its own 0600 key and derives the same public key keygen printed", async () => {
    const key = join(dir, "key.pem");
    const publicKey = await createKeyFile(key);
    await expect(loadKeyFile(key)).resolves.toMatchObject({ path: key, publicKey });
  });
});
