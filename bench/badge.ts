/**
 * Badges: (1) CPU per badge request inside workerd (under `wrangler dev`, read from /proc for
 * the workerd processes) against a static string response measured in the same run; the JSON
 * badge does the same KV reads and verdict without drawing, so SVG − JSON is the drawing.
 * (2) Gzip size of the Worker bundle (with the dashboard) against a hello-world Hono Worker and
 * a one-route badge-maker Worker, all built by `wrangler deploy --dry-run --outdir`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { generateKeyPair } from "../protocol/keys.ts";
import { signV1a } from "../protocol/signing.ts";
import { DEPLOY_FLAGS } from "../scripts/deploy-flags.ts";
import { startDevWorker } from "../scripts/dev-worker.ts";
import { cpuMs } from "../scripts/proc.ts";
import { makeBeat } from "../test/support/beats.ts";
import { renderBadge } from "../worker/faces/badge-svg.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const ROUNDS = 1500;
const BUNDLE_BUDGET_KIB = 64;
const TOKEN = "bench-admin-token";

/**
 * CPU per request for each path, interleaved round-robin so drift on a shared machine (other
 * tenants, CPU frequency) lands on every path alike; /proc's 10 ms ticks average out over ROUNDS.
 */
async function requestCpu(url: string, pids: number[], paths: string[]) {
  // Warm-up: isolate start, JIT, first KV reads.
  for (let i = 0; i < 20; i++) for (const path of paths) await fetch(url + path).then((r) => r.arrayBuffer());
  const cpu = new Map(paths.map((p) => [p, 0]));
  const wall = new Map(paths.map((p) => [p, 0]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const path of paths) {
      const c0 = cpuMs(pids);
      const w0 = performance.now();
      await fetch(url + path).then((r) => r.arrayBuffer());
      wall.set(path, (wall.get(path) ?? 0) + performance.now() - w0);
      cpu.set(path, (cpu.get(path) ?? 0) + cpuMs(pids) - c0);
    }
  }
  return new Map(paths.map((p) => [p, { cpu: (cpu.get(p) ?? 0) / ROUNDS, wall: (wall.get(p) ?? 0) / ROUNDS }]));
}

async function renderCost() {
  const state = mkdtempSync(join(tmpdir(), "seatwatch-bench-"));
  const worker = await startDevWorker({ persistTo: state, vars: { ADMIN_TOKEN: TOKEN } });
  try {
    const keys = await generateKeyPair();
    const enrolled = await fetch(`${worker.url}/v1/hosts/web`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ publicKey: keys.publicKey, minSeats: 2 }),
    });
    if (enrolled.status !== 201) throw new Error(`enroll: ${enrolled.status} ${await enrolled.text()}`);
    const body = JSON.stringify(makeBeat({ host: "web", ts: Date.now(), seats: 12 }));
    const headers = await signV1a(keys.privateKey, "bench_1", Math.floor(Date.now() / 1000), body);
    const beat = await fetch(`${worker.url}/v1/beats`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
    });
    if (beat.status !== 202) throw new Error(`beat: ${beat.status} ${await beat.text()}`);
    const pids = worker.workerdPids();
    if (pids.length === 0) throw new Error("no workerd process found under wrangler dev");

    // The JSON badge twice: their difference is this run's noise floor.
    const paths = [
      "/nothing",
      "/badge/web.json",
      "/badge/web.json?again",
      "/badge/web.svg",
      "/badge/web.svg?style=for-the-badge",
    ];
    const figures = await requestCpu(worker.url, pids, paths);
    const get = (p: string) => figures.get(p) ?? { cpu: Number.NaN, wall: Number.NaN };
    const base = get("/nothing");
    console.log(`badge requests under wrangler dev (${ROUNDS} rounds, interleaved; workerd pids ${pids.join(",")})`);
    for (const path of paths) {
      const r = get(path);
      console.log(
        `  ${path.padEnd(36)} ${r.cpu.toFixed(3)} ms CPU  ${r.wall.toFixed(3)} ms wall  ${(r.cpu / base.cpu).toFixed(2)}× static CPU`,
      );
    }
    const drawing = get("/badge/web.svg").cpu - get("/badge/web.json").cpu;
    const noise = Math.abs(get("/badge/web.json?again").cpu - get("/badge/web.json").cpu);
    console.log(
      `  drawing the SVG (svg − json):        ${drawing.toFixed(3)} ms CPU per badge (json − json again: ${noise.toFixed(3)} ms)`,
    );
  } finally {
    await worker.stop();
    rmSync(state, { recursive: true, force: true });
  }

  // The same drawing in Node's V8, for a figure without any request around it.
  const n = 20_000;
  const start = performance.now();
  for (let i = 0; i < n; i++) renderBadge({ label: "seats", message: `${i % 100} up`, color: "brightgreen" }, "flat");
  console.log(
    `  renderBadge alone in Node:           ${(((performance.now() - start) / n) * 1000).toFixed(1)} µs per badge`,
  );
}

/** The root wrangler.toml's date, so every bundle is built for the same runtime. */
const COMPATIBILITY_DATE = /compatibility_date\s*=\s*"([^"]+)"/.exec(
  readFileSync(join(ROOT, "wrangler.toml"), "utf8"),
)?.[1];

/**
 * Gzip KiB of what `wrangler deploy` would upload. `entry` null builds the real Worker from the
 * root wrangler.toml as `npm run deploy` does; otherwise a one-file Worker gets its own minimal config (the root one binds
 * the ledger Durable Object, which a baseline Worker does not export).
 */
function gzipKiB(entry: string | null, flags: string[] = []): number {
  const out = mkdtempSync(join(tmpdir(), "seatwatch-bundle-"));
  try {
    const args = [WRANGLER, "deploy", "--dry-run", "--outdir", join(out, "dist")];
    if (entry !== null) {
      const config = join(out, "wrangler.json");
      const name = entry.replace(/^.*\//, "").replace(/\.ts$/, "");
      writeFileSync(
        config,
        JSON.stringify({
          name,
          main: join(ROOT, entry),
          compatibility_date: COMPATIBILITY_DATE,
          compatibility_flags: flags,
        }),
      );
      args.push("--config", config);
    } else args.push(...DEPLOY_FLAGS);
    execFileSync(process.execPath, args, { cwd: ROOT, stdio: "pipe", env: { ...process.env, NO_COLOR: "1" } });
    const dist = join(out, "dist");
    const js = readdirSync(dist).filter((f) => f.endsWith(".js") || f.endsWith(".mjs"));
    return js.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, f))).length, 0) / 1024;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function bundleSizes() {
  const worker = gzipKiB(null);
  const hello = gzipKiB("bench/hello-hono.ts");
  const badgeMaker = gzipKiB("bench/badge-maker-worker.ts", ["nodejs_compat"]);
  console.log("bundle size, gzip (wrangler deploy --dry-run --outdir, then zlib gzip of the .js)");
  console.log(`  hello-world Hono Worker:             ${hello.toFixed(1)} KiB`);
  console.log(
    `  seatwatch Worker (with dashboard):   ${worker.toFixed(1)} KiB  (${(worker / hello).toFixed(2)}× hello; budget ${BUNDLE_BUDGET_KIB} KiB)`,
  );
  console.log(
    `  one-route badge-maker Worker:        ${badgeMaker.toFixed(1)} KiB  (what bundling badge-maker would cost)`,
  );
  if (worker > BUNDLE_BUDGET_KIB) {
    console.error(`  over budget: ${worker.toFixed(1)} KiB > ${BUNDLE_BUDGET_KIB} KiB`);
    process.exitCode = 1;
  }
}

bundleSizes();
await renderCost();
