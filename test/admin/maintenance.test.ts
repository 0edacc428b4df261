/**
 * Maintenance windows and webhook `states` through the CLI, against the real Worker (DESIGN §6):
 * PUT /v1/maintenance/:name → 201 (created) or 200; GET /v1/maintenance → {maintenance: [{name,
 * ...window}]}; DELETE → 204; webhooks list and accept `states`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Rig, startRig } from "./rig.ts";

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
}, 120_000);
afterAll(async () => {
  await rig?.stop();
});

describe("maintenance", () => {
  it("add creates a window, list shows it, rm deletes it", async () => {
    const add = await rig.cli([
      ...["maintenance", "add", "nightly", "--days", "mon-fri", "--from", "22:00", "--to", "06:00"],
      ...["--tz", "Europe/Berlin", "--labels", "gpu", "--note", "backups"],
    ]);
    expect(add.code).toBe(0);
    expect(add.stdout).toContain("created maintenance window nightly");
    const list = await rig.cli(["maintenance", "list", "--json"]);
    expect(JSON.parse(list.stdout)).toMatchObject({
      maintenance: [
        { name: "nightly", days: "mon-fri", from: "22:00", to: "06:00", tz: "Europe/Berlin", labels: ["gpu"] },
      ],
    });
    expect((await rig.cli(["maintenance", "rm", "nightly"])).code).toBe(0);
    expect(JSON.parse((await rig.cli(["maintenance", "list", "--json"])).stdout)).toEqual({ maintenance: [] });
  });

  it("the Worker checks a window as the CLI does: an unknown zone is its 400", async () => {
    const res = await rig.worker.admin("PUT", "/v1/maintenance/x", {
      days: "sun",
      from: "01:00",
      to: "02:00",
      tz: "Mars/Base",
    });
    expect(res.status).toBe(400);
  });
});

describe("apply with maintenance windows and webhook states", () => {
  it("creates them, then a second apply makes no write, and export round-trips", async () => {
    const file = join(rig.dir, "fleet.yaml");
    writeFileSync(
      file,
      `hosts:
  gpu-1: {labels: [gpu]}
webhooks:
  pager:
    url: ${rig.receiver}/ok/pager
    states: [silent, error, blind]
maintenance:
  nightly:
    labels: [gpu]
    days: mon-fri
    from: "22:00"
    to: "06:00"
    tz: Europe/Berlin
`,
    );
    const first = await rig.cli(["apply", "-f", file, "--json"]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).applied).toHaveLength(3);
    const writes = rig.writes().length;
    const second = await rig.cli(["apply", "-f", file, "--json"]);
    expect(JSON.parse(second.stdout)).toMatchObject({ changes: [], requests: { writes: 0 } });
    expect(rig.writes().length).toBe(writes);
    const exported = await rig.cli(["export"]);
    expect(exported.stdout).toContain("maintenance:\n  nightly:\n");
    expect(exported.stdout).toContain("states:\n      - silent\n");
    const again = await rig.cli(["apply", "-f", "-", "--dry-run", "--prune", "--json"], { input: exported.stdout });
    expect(JSON.parse(again.stdout)).toMatchObject({ changes: [], kept: [] });
  });

  it("plans a changed window field by field", async () => {
    const file = join(rig.dir, "weekend.yaml");
    writeFileSync(
      file,
      // Quoted: in a YAML flow mapping a bare comma ends the value.
      'maintenance:\n  nightly: {labels: [gpu], days: "sat,sun", from: "22:00", to: "06:00", tz: Europe/Berlin}\n',
    );
    const run = await rig.cli(["apply", "-f", file, "--dry-run"]);
    expect(run.stdout).toContain('~ maintenance nightly\n    days: "mon-fri" → "sat,sun"\n');
  });
});
