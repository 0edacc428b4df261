/** `npm run bench`: runs each benchmark in turn; each prints ratios against its own baseline. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BENCHES = ["beat-verify.ts", "beat-ingest.ts", "load.ts"];

let failed = 0;
for (const bench of BENCHES) {
  console.log(`\n== ${bench}`);
  const file = fileURLToPath(new URL(bench, import.meta.url));
  const result = spawnSync(process.execPath, ["--import", "tsx", file], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
