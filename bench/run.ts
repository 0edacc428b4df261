/** `npm run bench`: every bench in sequence, each printing ratios against its own baseline. */
import { spawnSync } from "node:child_process";

const BENCHES = ["bench/cron.ts"];

for (const file of BENCHES) {
  console.log(`\n== ${file}`);
  const { status } = spawnSync("npx", ["tsx", file], { stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
}
