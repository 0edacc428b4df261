/**
 * `seatwatch apply` and `export` against the real Worker: a plan first, then the writes; a second
 * apply writes nothing (counted by the CLI and by a proxy in front of the Worker, and visible in the
 * Worker's own updatedAt); drift comes back as a one-field plan; --prune; export round-trips; and
 * an invalid file changes nothing and says file:line and field.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Rig, startRig } from "./rig.ts";

let rig: Rig;
let fleet: string;
const SECRET = `whsec_${Buffer.from("seatwatch-apply-test-secret-32by").toString("base64")}`;

beforeAll(async () => {
  rig = await startRig();
  fleet = join(rig.dir, "fleet.yaml");
  writeFileSync(
    fleet,
    `# the fleet, as code
defaults:
  graceSeconds: 600
hosts:
  web-1: {}
  web-2:
    minSeats: 2
  gpu-1:
    minSeats: 4
    labels: [gpu]
webhooks:
  ops:
    url: ${rig.receiver}/ok/ops
    labels: [gpu]
    secretEnv: OPS_SECRET
`,
  );
}, 120_000);
afterAll(async () => {
  await rig?.stop();
});

const env = { OPS_SECRET: SECRET };

interface ApplyOutput {
  changes: { kind: string; name: string; action: string; fields: { field: string; from: unknown; to: unknown }[] }[];
  kept: { kind: string; name: string }[];
  applied: unknown[];
  requests: { reads: number; writes: number };
}

async function hostsNow(): Promise<unknown> {
  return (await rig.worker.fetch("/v1/hosts")).json();
}

async function updatedAt(id: string): Promise<string> {
  return ((await (await rig.worker.fetch(`/v1/hosts/${id}`)).json()) as { updatedAt: string }).updatedAt;
}

describe("apply", () => {
  it("on a fresh Worker prints the plan, then creates every host and webhook", async () => {
    const run = await rig.cli(["apply", "-f", fleet], { env });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${fleet} → ${rig.url}\n+ host web-1 (create)\n    graceSeconds: 600\n`);
    expect(run.stdout).toContain("+ webhook ops (create)  [secret from $OPS_SECRET]");
    expect(run.stdout).toContain("Plan: 4 to create, 0 to update, 0 to delete.");
    expect(run.stdout).toContain("✓ host gpu-1 created (next: seatwatch hosts enroll gpu-1)");
    const detail = (await (await rig.worker.fetch("/v1/hosts/gpu-1")).json()) as { policy: Record<string, unknown> };
    expect(detail.policy).toMatchObject({ minSeats: 4, labels: ["gpu"], graceSeconds: 600 });
  });

  it("sends the webhook's secret from the environment: the receiver verifies a test alert with it", async () => {
    expect((await rig.cli(["webhooks", "test", "ops"])).code).toBe(0);
    const [delivery] = rig.deliveries("ops");
    expect(delivery).toBeDefined();
    const { headers, body } = delivery as { headers: Record<string, string>; body: string };
    expect(() => new Webhook(SECRET).verify(body, headers)).not.toThrow();
  });

  it("a second apply says no changes and sends no write: the CLI's count, the proxy's, the Worker's updatedAt", async () => {
    const stamp = await updatedAt("web-2");
    const writesBefore = rig.writes().length;
    const run = await rig.cli(["apply", "-f", fleet, "--json"], { env });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as ApplyOutput;
    expect(out.changes).toEqual([]);
    expect(out.requests).toEqual({ reads: 3, writes: 0 });
    expect(rig.writes().length).toBe(writesBefore);
    expect(await updatedAt("web-2")).toBe(stamp);
    expect((await rig.cli(["apply", "-f", fleet], { env })).stdout).toContain(
      "No changes: the Worker already matches the file.",
    );
  });

  it("after an out-of-band PATCH, plans that one field and applies it with one write", async () => {
    expect((await rig.worker.admin("PATCH", "/v1/hosts/web-2", { minSeats: 5 })).status).toBe(200);
    const dry = await rig.cli(["apply", "-f", fleet, "--dry-run"], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(
      `${fleet} → ${rig.url}\n~ host web-2\n    minSeats: 5 → 2\nPlan: 0 to create, 1 to update, 0 to delete.\n`,
    );
    const writesBefore = rig.writes().length;
    const run = await rig.cli(["apply", "-f", fleet, "--json"], { env });
    const out = JSON.parse(run.stdout) as ApplyOutput;
    expect(out.changes).toEqual([
      { kind: "host", name: "web-2", action: "update", fields: [{ field: "minSeats", from: 5, to: 2 }], notes: [] },
    ]);
    expect(rig.writes().slice(writesBefore)).toEqual([{ method: "PATCH", path: "/v1/hosts/web-2" }]);
    const detail = (await (await rig.worker.fetch("/v1/hosts/web-2")).json()) as { policy: { minSeats: number } };
    expect(detail.policy.minSeats).toBe(2);
  });

  it("keeps what the file does not name, and says so; --prune deletes it", async () => {
    await rig.worker.enroll("stray-1");
    expect((await rig.cli(["webhooks", "add", "stray-hook", "--url", `${rig.receiver}/ok/stray`])).code).toBe(0);
    const kept = await rig.cli(["apply", "-f", fleet], { env });
    expect(kept.stdout).toContain("not in the file, kept (--prune deletes them): host stray-1, webhook stray-hook");
    const run = await rig.cli(["apply", "-f", fleet, "--prune", "--json"], { env });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as ApplyOutput;
    expect(out.changes.map((c) => [c.action, c.kind, c.name])).toEqual([
      ["delete", "webhook", "stray-hook"],
      ["delete", "host", "stray-1"],
    ]);
    expect((await rig.worker.fetch("/v1/hosts/stray-1")).status).toBe(404);
  });

  it("export | apply -f - --dry-run: no changes", async () => {
    const exported = await rig.cli(["export"]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain("  gpu-1:\n    minSeats: 4\n    graceSeconds: 600\n    labels:\n      - gpu\n");
    // The receiver's path is hidden in listings: the file names a variable instead of a URL it cannot know.
    expect(exported.stdout).toContain("  ops:\n    urlEnv: SEATWATCH_WEBHOOK_OPS_URL\n");
    const run = await rig.cli(["apply", "-f", "-", "--dry-run", "--prune", "--json"], { input: exported.stdout });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ changes: [], kept: [], requests: { writes: 0 } });
  });

  it("export --json is a JSON fleet file that apply accepts unchanged too", async () => {
    const exported = await rig.cli(["export", "--json"]);
    const run = await rig.cli(["apply", "-f", "-", "--dry-run", "--json"], { input: exported.stdout });
    expect(JSON.parse(run.stdout)).toMatchObject({ changes: [] });
  });

  it("a policy field this Worker does not have yet is refused before any write, or applied once it has it", async () => {
    const file = join(rig.dir, "wait.yaml");
    writeFileSync(file, "hosts:\n  web-1:\n    graceSeconds: 600\n    maxWaitSeconds: 120\n");
    const supported =
      "maxWaitSeconds" in ((await (await rig.worker.fetch("/v1/hosts/web-1")).json()) as { policy: object }).policy;
    const writesBefore = rig.writes().length;
    const run = await rig.cli(["apply", "-f", file]);
    if (supported) {
      expect(run.code).toBe(0);
    } else {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `${file}:4:5: hosts.web-1.maxWaitSeconds: the Worker at ${rig.url} does not support policy field maxWaitSeconds yet`,
      );
      expect(rig.writes().length).toBe(writesBefore);
    }
  });
});

describe("an invalid fleet file changes nothing and says file:line and field", () => {
  const cases: [string, string, RegExp][] = [
    ["bad YAML", "hosts:\n  web-1: {minSeats: 3\n  web-9: {}\n", /bad\.yaml:\d+:\d+: not valid YAML\/JSON/],
    [
      "an unknown field",
      "hosts:\n  web-1:\n    minSeats: 3\n    minseats: 3\n",
      /bad\.yaml:4:5: hosts\.web-1\.minseats: unknown field "minseats"/,
    ],
    [
      "a bad host id",
      "hosts:\n  web-1: {minSeats: 3}\n  Web_9: {}\n",
      /bad\.yaml:3:3: hosts\.Web_9: host id "Web_9" is invalid/,
    ],
    [
      "a wrong type",
      "hosts:\n  web-1:\n    minSeats: lots\n",
      /bad\.yaml:3:5: hosts\.web-1\.minSeats: must be an integer/,
    ],
  ];
  for (const [what, text, message] of cases) {
    it(what, async () => {
      const file = join(rig.dir, "bad.yaml");
      writeFileSync(file, text);
      const before = await hostsNow();
      const seenBefore = rig.seen.length;
      const run = await rig.cli(["apply", "-f", file, "--prune"], { env });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain("nothing was changed");
      expect(rig.seen.length).toBe(seenBefore);
      expect(await hostsNow()).toEqual(before);
    });
  }

  it("a secret's variable that is not set, for a webhook that must be sent: refused before any write", async () => {
    const file = join(rig.dir, "unset.yaml");
    writeFileSync(
      file,
      `hosts:\n  web-1: {minSeats: 9}\nwebhooks:\n  ops:\n    url: ${rig.receiver}/ok/ops\n    secretEnv: OPS_SECRET\n`,
    );
    const writesBefore = rig.writes().length;
    const run = await rig.cli(["apply", "-f", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:6:5: webhooks.ops.secretEnv: OPS_SECRET is not set`);
    expect(rig.writes().length).toBe(writesBefore);
  });

  it("--json lists the errors with file, line, column and field", async () => {
    const file = join(rig.dir, "bad.json");
    writeFileSync(file, '{"hosts": {"web-1": {"paused": "yes"}}}');
    const run = await rig.cli(["apply", "-f", file, "--json"]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({
      error: { code: "invalid_file" },
      errors: [
        { file, line: 1, col: 22, field: "hosts.web-1.paused", message: expect.stringContaining("true or false") },
      ],
    });
  });
});

describe("receivers with credentials: a telegram chat and a pushover app", () => {
  const PO_TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi";
  const PO_USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG";
  const receiversEnv = { PO_TOKEN, PO_USER };
  let receivers: string;

  beforeAll(() => {
    receivers = join(rig.dir, "receivers.yaml");
    writeFileSync(
      receivers,
      `webhooks:
  tg:
    url: ${rig.receiver}/ok/tg
    format: telegram
    chatId: -1001234567890
    states: [silent, blind]
  phone:
    url: ${rig.receiver}/ok/phone
    format: pushover
    tokenEnv: PO_TOKEN
    userEnv: PO_USER
`,
    );
  });

  it("apply creates both, the plan naming the variables and never printing their values", async () => {
    const run = await rig.cli(["apply", "-f", receivers], { env: receiversEnv });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("+ webhook tg (create)  [secret generated by the Worker, printed once]\n");
    expect(run.stdout).toContain('    format: "telegram"\n    chatId: "-1001234567890"\n');
    expect(run.stdout).toContain('    format: "pushover"\n    token: $PO_TOKEN\n    user: $PO_USER\n');
    expect(run.stdout).not.toContain(PO_TOKEN);
    expect(run.stdout).not.toContain(PO_USER);
    expect(run.stdout).toContain("Plan: 2 to create, 0 to update, 0 to delete.");
  });

  it("the receivers get what the file and the environment gave: a test alert carries the chat id, the token and user", async () => {
    expect((await rig.cli(["webhooks", "test", "tg"])).code).toBe(0);
    expect((await rig.cli(["webhooks", "test", "phone"])).code).toBe(0);
    expect(JSON.parse(rig.deliveries("tg")[0]?.body ?? "{}")).toMatchObject({ chat_id: "-1001234567890" });
    expect(JSON.parse(rig.deliveries("phone")[0]?.body ?? "{}")).toMatchObject({ token: PO_TOKEN, user: PO_USER });
  });

  it("a second apply says no changes and sends no write, the proxy counting", async () => {
    const writesBefore = rig.writes().length;
    const run = await rig.cli(["apply", "-f", receivers, "--json"], { env: receiversEnv });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ changes: [], requests: { writes: 0 } });
    expect(rig.writes().length).toBe(writesBefore);
  });

  it("export writes the chat id and the variables' names; export | apply --dry-run plans nothing, with no variable set", async () => {
    const exported = await rig.cli(["export"]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(
      '  tg:\n    urlEnv: SEATWATCH_WEBHOOK_TG_URL\n    format: telegram\n    states:\n      - silent\n      - blind\n    chatId: "-1001234567890"\n',
    );
    expect(exported.stdout).toContain(
      "    format: pushover\n    tokenEnv: SEATWATCH_WEBHOOK_PHONE_TOKEN\n    userEnv: SEATWATCH_WEBHOOK_PHONE_USER\n",
    );
    expect(exported.stdout).not.toContain(PO_TOKEN);
    const writesBefore = rig.writes().length;
    const run = await rig.cli(["apply", "-f", "-", "--dry-run", "--prune", "--json"], { input: exported.stdout });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ changes: [], kept: [], requests: { writes: 0 } });
    expect(rig.writes().length).toBe(writesBefore);
  });

  it("a credential's variable that is not set fails naming it, at its line, and writes nothing", async () => {
    const file = join(rig.dir, "unset-token.yaml");
    writeFileSync(
      file,
      `hosts:\n  web-1: {minSeats: 9}\nwebhooks:\n  phone-2:\n    format: pushover\n    tokenEnv: PO2_TOKEN\n    userEnv: PO_USER\n`,
    );
    const writesBefore = rig.writes().length;
    const run = await rig.cli(["apply", "-f", file], { env: { PO_USER } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:6:5: webhooks.phone-2.tokenEnv: PO2_TOKEN is not set`);
    expect(run.stderr).toContain("nothing was changed");
    expect(rig.writes().length).toBe(writesBefore);
    const { webhooks } = (await (await rig.worker.admin("GET", "/v1/webhooks")).json()) as {
      webhooks: { name: string }[];
    };
    expect(webhooks.map((w) => w.name)).not.toContain("phone-2");
  });
});
