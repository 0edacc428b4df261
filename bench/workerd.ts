/**
 * Runs one bench file inside workerd through the `bench` vitest project (defined only when
 * SEATWATCH_BENCH=1, so `npm test` never runs benches) and returns the JSON it printed after `BENCH `.
 */
import { spawnSync } from "node:child_process";

export async function runWorkerdBench(file: string): Promise<unknown> {
  const result = spawnSync("npx", ["vitest", "run", "--project", "bench", file], {
    env: { ...process.env, SEATWATCH_BENCH: "1" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = `${result.stdout}`.split("\n").find((l) => l.includes("BENCH {"));
  if (result.status !== 0 || !line) {
    throw new Error(`bench ${file} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return JSON.parse(line.slice(line.indexOf("BENCH ") + 6));
}
