/**
 * `npm run bench`: runs each bench listed here, in order. A bench is a module exporting
 * `run(): Promise<void>` that prints its own figures, each as a ratio against a baseline
 * measured in the same run. Import it and add it to BENCHES to add a bench.
 */
import * as observe from "./observe.ts";

const BENCHES: Record<string, { run: () => Promise<void> }> = { observe };

for (const [name, bench] of Object.entries(BENCHES)) {
  process.stdout.write(`\n== ${name}\n`);
  await bench.run();
}
