/**
 * `npm run bench`: runs each benchmark in its own process, in turn; each prints its figures as
 * ratios against a baseline measured in the same run. Add a bench by adding its file here.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BENCHES = [
  "observe.ts",
  "busy-cpu.ts",
  "hook.ts",
  "beat-verify.ts",
  "beat-ingest.ts",
  "beat-path.ts",
  "cron.ts",
  "kv-writes.ts",
  "activity-pushes.ts",
  "badge.ts",
  "pages.ts",
  "beacon-start.ts",
  "beacon-rss.ts",
  "load.ts",
];

let failed = 0;
for (const bench of BENCHES) {
  console.log(`\n== ${bench}`);
  const file = fileURLToPath(new URL(bench, import.meta.url));
  const result = spawnSync(process.execPath, ["--import", "tsx", file], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
