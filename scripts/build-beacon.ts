/**
 * `npm run build:beacon`: the beacon as one self-contained ESM file for hosts (DESIGN §3), with
 * only the parts of undici it uses (scripts/undici-slim.cjs), runnable by plain `node` (≥ 20.18.1)
 * with no node_modules anywhere near it.
 */
import { chmodSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

export const BEACON_FILE = fileURLToPath(new URL("../dist/seatwatch-beacon.mjs", import.meta.url));

/**
 * `import … from "undici"` (exactly that specifier) becomes the slim entry. undici's HTTP clients
 * require fetch's body extractor lazily, only for Blob/FormData/stream bodies; the beacon sends
 * strings, so that require gets a stub that says so instead of fetch, WebIDL and a form parser.
 */
const slimUndici: Plugin = {
  name: "slim-undici",
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: fileURLToPath(new URL("./undici-slim.cjs", import.meta.url)) }));
    b.onResolve({ filter: /\/web\/fetch\/body\.js$/ }, (args) =>
      /undici\/lib\/dispatcher\/client-h[12]\.js$/.test(args.importer)
        ? { path: "fetch-body", namespace: "stub" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
      contents: 'exports.extractBody = () => { throw new Error("seatwatch-beacon sends string bodies only"); };',
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
    // The oldest Node the project supports (undici 7 needs 20.18.1).
    target: "node20.18",
    // undici is CommonJS and require()s Node built-ins, which an ESM bundle must be given.
    banner: {
      js: '#!/usr/bin/env node\nimport { createRequire as __seatwatchCreateRequire } from "node:module";\nconst require = __seatwatchCreateRequire(import.meta.url);',
    },
    plugins: [slimUndici],
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
