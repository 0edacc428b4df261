/**
 * `npm run build:admin`: the operator's CLI as one self-contained ESM file (`bin` seatwatch),
 * `yaml` bundled, runnable by plain `node` (≥ 20.18.1) with no node_modules and no tsx.
 */
import { chmodSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const ADMIN_FILE = fileURLToPath(new URL("../dist/seatwatch.mjs", import.meta.url));

/** Builds the file; returns its size in bytes. */
export async function buildAdmin(outfile = ADMIN_FILE): Promise<number> {
  await build({
    entryPoints: [fileURLToPath(new URL("../admin/cli.ts", import.meta.url))],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.18",
    // yaml's Node entry is CommonJS and require()s Node built-ins, which an ESM bundle must be given.
    banner: {
      js: '#!/usr/bin/env node\nimport { createRequire as __seatwatchCreateRequire } from "node:module";\nconst require = __seatwatchCreateRequire(import.meta.url);',
    },
    legalComments: "eof",
    logLevel: "warning",
  });
  chmodSync(outfile, 0o755);
  return statSync(outfile).size;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const size = await buildAdmin();
  console.log(`${ADMIN_FILE}: ${(size / 1024).toFixed(1)} KiB`);
}
