/**
 * `npm run build:beacon`: the beacon as one self-contained ESM file for hosts (DESIGN §3), runnable
 * by plain `node` (≥ 20.18.1) with no node_modules anywhere near it: it needs nothing but Node's own
 * modules (its HTTP is node:http, beacon/http.ts).
 */
import { chmodSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

export const BEACON_FILE = fileURLToPath(new URL("../dist/seatwatch-beacon.mjs", import.meta.url));

/**
 * An ESM bundle hoists every `import … from "node:…"` to the top of the file, so a command that is
 * never run would still load what it imports (node:crypto and node:child_process for `--help`).
 * Each built-in is instead required where the module importing it is first evaluated: with the
 * dispatcher's lazy `import()`s (beacon/cli.ts) that is when its command runs.
 */
const lazyBuiltins: Plugin = {
  name: "lazy-builtins",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === "import-statement"
        ? { path: args.path, namespace: "builtin" }
        : { path: args.path, external: true },
    );
    b.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
};

/** Builds the file; returns its size in bytes. */
export async function buildBeacon(outfile = BEACON_FILE): Promise<number> {
  await build({
    entryPoints: [fileURLToPath(new URL("../beacon/cli.ts", import.meta.url))],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    // The oldest Node the project supports.
    target: "node20.18",
    // The `require` the lazily loaded built-ins are fetched with.
    banner: {
      js: '#!/usr/bin/env node\nimport { createRequire as __seatwatchCreateRequire } from "node:module";\nconst require = __seatwatchCreateRequire(import.meta.url);',
    },
    plugins: [lazyBuiltins],
    legalComments: "eof",
    logLevel: "warning",
  });
  chmodSync(outfile, 0o755);
  return statSync(outfile).size;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const size = await buildBeacon();
  console.log(`${BEACON_FILE}: ${(size / 1024).toFixed(1)} KiB`);
}
