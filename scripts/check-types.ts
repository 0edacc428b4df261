/**
 * `npm run typecheck` step 1: the committed Env type must match wrangler.toml. Regenerates it into
 * a temp file and compares. (`wrangler types --check` reads a local .dev.vars even when told not
 * to, so a developer's secrets would make it fail; generation with `--env-file /dev/null` does not.)
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const COMMITTED = join(ROOT, "worker-configuration.d.ts");
// Beside the committed file, so the generated relative imports (./index) come out the same.
const fresh = join(ROOT, ".worker-configuration.check.d.ts");
try {
  execFileSync(
    process.execPath,
    [
      join(ROOT, "node_modules/wrangler/bin/wrangler.js"),
      "types",
      fresh,
      "--include-runtime=false",
      "--strict-vars=false",
      "--env-file",
      "/dev/null",
    ],
    { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  // Line 2 names the command and path that generated the file; everything after it must match.
  const body = (file: string) => readFileSync(file, "utf8").split("\n").slice(2).join("\n");
  if (body(fresh) !== body(COMMITTED)) {
    console.error("worker-configuration.d.ts is out of date with wrangler.toml: run `npm run types`");
    process.exit(1);
  }
} finally {
  rmSync(fresh, { force: true });
}
