/**
 * `npm run build:beacon`: the beacon as one self-contained file for hosts (DESIGN §3), runnable by
 * plain `node` (≥ 20.18.1) with no node_modules anywhere near it: it needs nothing but Node's own
 * modules (its HTTP is node:http, beacon/http.ts).
 *
 * The file is CommonJS (.cjs), for start-up: an ES module entry alone makes node load its ESM loader
 * (node:fs/promises, readline, streams), 1.17-1.2x the start of a bare `node -e 0`, which is the
 * whole of the beacon's --help budget. In CommonJS each built-in is also required only where the
 * module importing it is first evaluated, so the dispatcher's lazy `import()`s (beacon/cli.ts) keep
 * node:crypto and node:child_process out of --help; an ESM bundle hoists every import to the top.
 */
import { chmodSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const BEACON_FILE = fileURLToPath(new URL("../dist/seatwatch-beacon.cjs", import.meta.url));
/**
 * The same beacon as an ES module, under the name earlier releases installed it by: a host that
 * copies a new build over its old `seatwatch-beacon.mjs` (and the unit naming it) keeps working.
 * New installs use the .cjs.
 */
export const BEACON_ESM_FILE = fileURLToPath(new URL("../dist/seatwatch-beacon.mjs", import.meta.url));

/** Builds the file (CommonJS, or an ES module when it ends in .mjs); returns its size in bytes. */
export async function buildBeacon(outfile = BEACON_FILE): Promise<number> {
  await build({
    entryPoints: [fileURLToPath(new URL("../beacon/cli.ts", import.meta.url))],
    outfile,
    bundle: true,
    platform: "node",
    format: outfile.endsWith(".mjs") ? "esm" : "cjs",
    // The oldest Node the project supports.
    target: "node20.18",
    banner: { js: "#!/usr/bin/env node" },
    legalComments: "eof",
    logLevel: "warning",
  });
  chmodSync(outfile, 0o755);
  return statSync(outfile).size;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const file of [BEACON_FILE, BEACON_ESM_FILE]) {
    const size = await buildBeacon(file);
    console.log(`${file}: ${(size / 1024).toFixed(1)} KiB`);
  }
}
