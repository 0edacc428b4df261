/**
 * `seatwatch` against the real Worker under `wrangler dev`: every command, its --json, its exit
 * code, and errors that name the fix. One Worker for the file; each test uses its own host ids.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { version } from "../../package.json";
import type { Beat } from "../../protocol/beat.ts";
import type { KeyPair } from "../../protocol/keys.ts";
import { triggerCron } from "../../scripts/dev-worker.ts";
import type { Host } from "../support/live-worker.ts";
import { type Rig, startRig } from "./rig.ts";

let rig: Rig;
let lowKeys: KeyPair;

beforeAll(async () => {
  rig = await startRig();
}, 120_000);
afterAll(async () => {
  await rig?.stop();
});

/** The Worker takes one beat a second per host (429 otherwise); the previous test's beat may be that recent. */
async function beatUntilAccepted(host: Host, beat: Partial<Beat>): Promise<void> {
  for (let i = 0; i < 5; i++) {
    if ((await rig.worker.beat(host, beat)).status === 202) return;
    await new Promise((r) => setTimeout(r, 1100));
  }
  throw new Error(`no beat of ${host.id} was accepted`);
}

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe("help, version and settings", () => {
  it("--help lists every command and the exit codes, and exits 0", async () => {
    const run = await rig.cli(["--help"]);
    expect(run.code).toBe(0);
    for (const command of ["status", "hosts", "webhooks", "events", "maintenance", "apply", "export"]) {
      expect(run.stdout).toContain(`  ${command} `);
    }
    expect(run.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 .*\n {2}4 /);
  });

  it("every command's --help documents its exit codes", async () => {
    for (const command of ["status", "hosts", "webhooks", "events", "maintenance", "apply", "export"]) {
      const run = await rig.cli([command, "--help"]);
      expect(run.code, command).toBe(0);
      expect(run.stdout, command).toContain("Exit codes:");
    }
  });

  it("--version prints package.json's version", async () => {
    expect(await rig.cli(["--version"])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it("npm run -s admin runs the same CLI from the source, through tsx", () => {
    const run = spawnSync("npm", ["run", "-s", "admin", "--", "--version"], {
      cwd: resolve(import.meta.dirname, "../.."),
      encoding: "utf8",
    });
    expect(run.stdout).toBe(`${version}\n`);
    expect(run.status).toBe(0);
  });

  it("an unknown command or option is a usage error, exit 2", async () => {
    expect((await rig.cli(["hostz"])).code).toBe(2);
    const run = await rig.cli(["hosts", "list", "--colour"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--colour");
  });

  it("without SEATWATCH_URL it says which variable to set, exit 2, and sends nothing", async () => {
    const before = rig.seen.length;
    const run = await rig.cli(["status"], { env: { SEATWATCH_URL: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("set SEATWATCH_URL");
    expect(rig.seen.length).toBe(before);
  });

  it("an unreachable Worker names SEATWATCH_URL, exit 3; --json gives the error as JSON", async () => {
    const run = await rig.cli(["status", "--json"], { env: { SEATWATCH_URL: "http://127.0.0.1:9" } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("cannot reach the Worker at http://127.0.0.1:9 (SEATWATCH_URL)");
    expect(json(run.stdout)).toMatchObject({
      error: { code: "unreachable" },
      hint: expect.stringContaining("SEATWATCH_URL"),
    });
  });

  it("a wrong admin token: 401, exit 1, naming the variable it came from and the Worker's code", async () => {
    const run = await rig.cli(["webhooks", "list"], { env: { SEATWATCH_ADMIN_TOKEN: "wrong" } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("401 unauthorized");
    expect(run.stderr).toContain("the admin token from SEATWATCH_ADMIN_TOKEN was refused");
  });

  it("a wrong token from --token-file names the file", async () => {
    const file = join(rig.dir, "token");
    writeFileSync(file, "also-wrong\n");
    const run = await rig.cli(["webhooks", "list", "--token-file", file], {
      env: { SEATWATCH_ADMIN_TOKEN: undefined },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the admin token from --token-file ${file} was refused`);
  });

  it("--token-file holding the right token works without the variable", async () => {
    const file = join(rig.dir, "good-token");
    writeFileSync(file, `${rig.worker.adminToken}\n`);
    const run = await rig.cli(["webhooks", "list", "--json", "--token-file", file], {
      env: { SEATWATCH_ADMIN_TOKEN: undefined },
    });
    expect(run.code).toBe(0);
    expect(json(run.stdout)).toHaveProperty("webhooks");
  });

  it("no admin token at all: exit 2 before any request, naming both ways to give it", async () => {
    const before = rig.seen.length;
    const run = await rig.cli(["hosts", "add", "tokenless"], { env: { SEATWATCH_ADMIN_TOKEN: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("set SEATWATCH_ADMIN_TOKEN, or pass --token-file FILE");
    expect(rig.seen.length).toBe(before);
  });

  it("against a local Worker, finds the admin token in ./.dev.vars as npm start writes it", async () => {
    const dev = join(rig.dir, "dev");
    mkdirSync(dev);
    writeFileSync(join(dev, ".dev.vars"), `ADMIN_TOKEN=${rig.worker.adminToken}\n`);
    const ok = await rig.cli(["webhooks", "list", "--json"], { cwd: dev, env: { SEATWATCH_ADMIN_TOKEN: undefined } });
    expect(ok.code).toBe(0);
    writeFileSync(join(dev, ".dev.vars"), "ADMIN_TOKEN=stale\n");
    const stale = await rig.cli(["webhooks", "list"], { cwd: dev, env: { SEATWATCH_ADMIN_TOKEN: undefined } });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`the admin token from ADMIN_TOKEN in ${join(dev, ".dev.vars")} was refused`);
  });
});

describe("status", () => {
  it("exits 0 when /v1/check is ok, with the hosts table", async () => {
    const host = await rig.worker.enroll("st-up", { minSeats: 1 });
    expect((await rig.worker.beat(host, { seats: 2 })).status).toBe(202);
    await triggerCron(rig.worker.url);
    const run = await rig.cli(["status"]);
    expect(run.stdout).toMatch(/^st-up +up +2\/1 /m);
    expect(run.stdout).toContain("check: ok: 1 up");
    expect(run.code).toBe(0);
  });

  it("--json gives the status document and the check; exit 4 when the fleet is not healthy", async () => {
    const host = await rig.worker.enroll("st-low", { minSeats: 3 });
    lowKeys = host.keys;
    await beatUntilAccepted(host, { seats: 1 });
    const run = await rig.cli(["status", "--json"]);
    expect(run.code).toBe(4);
    const doc = json(run.stdout) as {
      status: { hosts: { id: string; state: string }[] };
      check: { ok: boolean; text: string };
    };
    expect(doc.status.hosts.find((h) => h.id === "st-low")).toMatchObject({ state: "low" });
    expect(doc.check).toEqual({ ok: false, text: expect.stringContaining("st-low: low") });
  });

  it("--watch piped prints one line per host, then a line for each change, and stops after --count polls", async () => {
    let beaten = false;
    const run = await rig.cli(["status", "--watch", "--interval", "0.5", "--count", "8"], {
      onStdout: (out) => {
        if (beaten || !out.includes("st-up")) return;
        beaten = true;
        // Between polls st-low gets its seats back: the next poll prints that change, and only that.
        void beatUntilAccepted({ id: "st-low", keys: lowKeys }, { seats: 3 });
      },
    });
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^\S+Z st-low low 1\/3 below_min_seats$/),
      expect.stringMatching(/^\S+Z st-up up 2\/1$/),
      expect.stringMatching(/^\S+Z st-low up 3\/3$/),
      expect.stringMatching(/^\S+Z check ok: ok: 2 up$/),
    ]);
    expect(run.stdout).not.toContain("\x1b[");
    expect(run.code).toBe(0);
  });

  it("--watch --json prints one status document per line, each poll", async () => {
    const run = await rig.cli(["status", "--watch", "--json", "--interval", "0.2", "--count", "2"]);
    const docs = run.stdout.trimEnd().split("\n").map(json);
    expect(docs).toHaveLength(2);
    expect(docs[1]).toMatchObject({ status: { hosts: expect.any(Array) }, check: { ok: true } });
    expect(run.code).toBe(0);
  });

  it("ends each host's row with its warnings: clock_skew for a host whose clock is a minute slow", async () => {
    const host = await rig.worker.enroll("st-skew", { minSeats: 1 });
    try {
      await beatUntilAccepted(host, { seats: 1, ts: Date.now() - 60_000 });
      const run = await rig.cli(["status"]);
      expect(run.stdout).toMatch(/^HOST +STATE +SEATS +LAST SEEN +SINCE +LABELS +REASON +WARNINGS$/m);
      expect(run.stdout).toMatch(/^st-skew +up +1\/1 .* clock_skew$/m);
    } finally {
      // One Worker serves the whole file, and other tests list every host it has.
      await rig.worker.admin("DELETE", "/v1/hosts/st-skew");
    }
  });
});

describe("hosts", () => {
  it("add creates a host with no key that stays new; --json is the Worker's answer", async () => {
    const run = await rig.cli(["hosts", "add", "h-add", "--min-seats", "2", "--labels", "gpu,rack-1", "--json"]);
    expect(run.code).toBe(0);
    expect(json(run.stdout)).toMatchObject({
      id: "h-add",
      state: "new",
      policy: { minSeats: 2, labels: ["gpu", "rack-1"] },
    });
  });

  it("add refuses a host that exists, rather than reset its policy", async () => {
    const run = await rig.cli(["hosts", "add", "h-add"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("host h-add exists");
    const detail = (await (await rig.worker.fetch("/v1/hosts/h-add")).json()) as { policy: { minSeats: number } };
    expect(detail.policy.minSeats).toBe(2);
  });

  it("add refuses an invalid host id before sending anything", async () => {
    const run = await rig.cli(["hosts", "add", "Bad_Host"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('host id "Bad_Host" is invalid');
  });

  it("list and show print the hosts, --json as the Worker has them", async () => {
    const list = await rig.cli(["hosts", "list", "--json"]);
    expect(list.code).toBe(0);
    const hosts = (json(list.stdout) as { hosts: { id: string }[] }).hosts.map((h) => h.id);
    expect(hosts).toEqual(expect.arrayContaining(["h-add", "st-up"]));
    const table = await rig.cli(["hosts", "list"]);
    expect(table.stdout).toMatch(/^h-add +new +-\/2 +300s +never +gpu,rack-1/m);
    const show = await rig.cli(["hosts", "show", "h-add", "--json"]);
    expect(json(show.stdout)).toMatchObject({ id: "h-add", keyRegistered: false });
    expect((await rig.cli(["hosts", "show", "h-add"])).stdout).toContain("key not registered (seatwatch hosts enroll)");
  });

  it("show of an unknown host: exit 1 with the Worker's code and message", async () => {
    const run = await rig.cli(["hosts", "show", "nobody"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("404 unknown_host");
  });

  it("enroll issues a one-time token and prints the beacon command that uses it", async () => {
    const run = await rig.cli(["hosts", "enroll", "h-enroll", "--json"]);
    expect(run.code).toBe(0);
    const answer = json(run.stdout) as { token: string; expiresAt: string; command: string };
    expect(answer.command).toBe(
      `SEATWATCH_URL=${rig.url} seatwatch-beacon enroll --host h-enroll --token ${answer.token}`,
    );
    expect(Date.parse(answer.expiresAt)).toBeGreaterThan(Date.now());
  });

  it("pause --for sets pausedUntil; resume clears it", async () => {
    const pause = await rig.cli(["hosts", "pause", "h-add", "--for", "2h", "--json"]);
    expect(pause.code).toBe(0);
    const until = Date.parse((json(pause.stdout) as { policy: { pausedUntil: string } }).policy.pausedUntil);
    expect(until - Date.now()).toBeGreaterThan(7_100_000);
    expect(json(pause.stdout)).toMatchObject({ state: "paused" });
    const resume = await rig.cli(["hosts", "resume", "h-add", "--json"]);
    expect(json(resume.stdout)).toMatchObject({ state: "new", policy: { paused: false, pausedUntil: null } });
  });

  it("pause --label pauses every host carrying the label", async () => {
    const run = await rig.cli(["hosts", "pause", "--label", "rack-1", "--json"]);
    expect(run.code).toBe(0);
    expect(json(run.stdout)).toMatchObject({ changed: 1, hosts: [{ id: "h-add", policy: { paused: true } }] });
  });

  it("rm deletes the host", async () => {
    const run = await rig.cli(["hosts", "rm", "h-add", "--json"]);
    expect(run.code).toBe(0);
    expect(json(run.stdout)).toEqual({ deleted: true, host: "h-add" });
    expect((await rig.worker.fetch("/v1/hosts/h-add")).status).toBe(404);
  });
});

describe("events", () => {
  it("prints a host's transitions and uptime; --json is the Worker's answer", async () => {
    await triggerCron(rig.worker.url);
    const run = await rig.cli(["events", "st-low", "--json"]);
    expect(run.code).toBe(0);
    const answer = json(run.stdout) as { host: string; uptime: Record<string, unknown>; events: { state: string }[] };
    expect(answer.host).toBe("st-low");
    expect(Object.keys(answer.uptime)).toEqual(["24h", "7d", "30d"]);
    expect(answer.events.map((e) => e.state)).toContain("low");
    expect((await rig.cli(["events", "st-low"])).stdout).toMatch(/^host st-low: uptime 24h /);
  });
});

describe("webhooks", () => {
  it("add creates one and prints its generated secret this once", async () => {
    const run = await rig.cli(["webhooks", "add", "w-ok", "--url", `${rig.receiver}/ok/w-ok`, "--labels", "gpu"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^created webhook w-ok → /);
    expect(run.stdout).toMatch(/signing secret \(shown this once; give it to the receiver\): whsec_/);
  });

  it("add --secret-env takes the secret from the environment", async () => {
    const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
    const run = await rig.cli(
      ["webhooks", "add", "w-env", "--url", `${rig.receiver}/ok/w-env`, "--secret-env", "HOOK_SECRET", "--json"],
      { env: { HOOK_SECRET: secret } },
    );
    expect(run.code).toBe(0);
    expect(json(run.stdout)).toMatchObject({ name: "w-env", created: true });
    expect(run.stdout).not.toContain(secret);
  });

  it("list shows them, secrets redacted", async () => {
    const run = await rig.cli(["webhooks", "list", "--json"]);
    const hooks = (json(run.stdout) as { webhooks: { name: string; secret: string }[] }).webhooks;
    expect(hooks.map((h) => h.name)).toEqual(["w-env", "w-ok"]);
    expect(hooks.every((h) => h.secret === "whsec_***")).toBe(true);
  });

  it("test delivers a signed test alert: exit 0", async () => {
    const run = await rig.cli(["webhooks", "test", "w-ok", "--json"]);
    expect(run.code).toBe(0);
    expect(json(run.stdout)).toEqual({ delivered: true, status: 200 });
    expect(rig.deliveries("w-ok").map((d) => JSON.parse(d.body).type)).toEqual(["test"]);
  });

  it("test against a receiver that fails: exit 1 with delivery_failed", async () => {
    expect((await rig.cli(["webhooks", "add", "w-bad", "--url", `${rig.receiver}/fail/w-bad`])).code).toBe(0);
    const run = await rig.cli(["webhooks", "test", "w-bad"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("502 delivery_failed");
  });

  it("rm deletes one; rm of an unknown one is exit 1 unknown_webhook", async () => {
    expect((await rig.cli(["webhooks", "rm", "w-bad"])).code).toBe(0);
    const again = await rig.cli(["webhooks", "rm", "w-bad"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("404 unknown_webhook");
  });

  it("add --token-env --user-env --chat-id give a receiver its credentials, the secret ones from the environment", async () => {
    const token = "azGDORePK8gMaC0QOYAMyEEuzJnyUi";
    const user = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG";
    const po = await rig.cli(
      [
        "webhooks",
        "add",
        "w-po",
        "--format",
        "pushover",
        "--url",
        `${rig.receiver}/ok/w-po`,
        "--token-env",
        "PO_TOKEN",
        "--user-env",
        "PO_USER",
        "--json",
      ],
      { env: { PO_TOKEN: token, PO_USER: user } },
    );
    expect(po.code).toBe(0);
    expect(json(po.stdout)).toMatchObject({ name: "w-po", format: "pushover", token: "***", user: "***" });
    const tg = await rig.cli([
      "webhooks",
      "add",
      "w-tg",
      "--format",
      "telegram",
      "--url",
      `${rig.receiver}/ok/w-tg`,
      "--chat-id",
      "@seatwatch_ops",
      "--json",
    ]);
    expect(tg.code).toBe(0);
    expect(json(tg.stdout)).toMatchObject({ name: "w-tg", chatId: "@seatwatch_ops" });
    expect((await rig.cli(["webhooks", "test", "w-po"])).code).toBe(0);
    expect(JSON.parse(rig.deliveries("w-po")[0]?.body ?? "{}")).toMatchObject({ token, user });
  });

  it("add without a credential the format needs is exit 2 naming the flag, and sends nothing", async () => {
    const seenBefore = rig.seen.length;
    const run = await rig.cli(["webhooks", "add", "w-po2", "--format", "pushover", "--token-env", "PO_TOKEN"], {
      env: { PO_TOKEN: "azGDORePK8gMaC0QOYAMyEEuzJnyUi" },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("format pushover needs --user-env: the variable holding the user or group key");
    const unset = await rig.cli([
      "webhooks",
      "add",
      "w-po2",
      "--format",
      "pushover",
      "--token-env",
      "PO_TOKEN",
      "--user-env",
      "PO_USER",
    ]);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain("--token-env PO_TOKEN: the variable is not set");
    expect(rig.seen.length).toBe(seenBefore);
  });
});

describe("maintenance", () => {
  it("add checks the window before sending anything: a bad zone or time is exit 2, naming the flag", async () => {
    const before = rig.seen.length;
    const zone = await rig.cli([
      "maintenance",
      "add",
      "w",
      "--days",
      "mon-fri",
      "--from",
      "22:00",
      "--to",
      "06:00",
      "--tz",
      "Mars/Base",
    ]);
    expect(zone.code).toBe(2);
    expect(zone.stderr).toContain('--tz must be an IANA time zone such as "Europe/Berlin" or "UTC" (got "Mars/Base")');
    const time = await rig.cli([
      "maintenance",
      "add",
      "w",
      "--days",
      "weekdays",
      "--from",
      "22:00",
      "--to",
      "06:00",
      "--tz",
      "UTC",
    ]);
    expect(time.code).toBe(2);
    expect(time.stderr).toContain("--days must be day names and ranges");
    expect(rig.seen.length).toBe(before);
  });
});
