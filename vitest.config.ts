import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { configDefaults, defineConfig, type TestProjectConfiguration } from "vitest/config";
import { TEST_ADMIN_TOKEN, TEST_BEAT_LIMIT } from "./test/support/secrets.ts";

function workerd() {
  return cloudflareTest({
    main: "./worker/index.ts",
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: {
      bindings: { ADMIN_TOKEN: TEST_ADMIN_TOKEN },
      ratelimits: { BEAT_LIMITER: { simple: { limit: TEST_BEAT_LIMIT, period: 60 } } },
    },
  });
}

/** Benches that must run inside workerd; only `npm run bench` (SEATWATCH_BENCH=1) defines them. */
const benches: TestProjectConfiguration[] = process.env.SEATWATCH_BENCH
  ? [
      {
        plugins: [workerd()],
        test: {
          name: "bench",
          include: ["bench/workerd/**/*.bench.ts"],
          globalSetup: ["./test/support/receiver.ts"],
        },
      },
    ]
  : [];

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [workerd()],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          // Generous: a 2-core CI machine runs workerd, wrangler and tmux tests side by side.
          testTimeout: 30_000,
          // A real webhook receiver on 127.0.0.1 for the alert tests (Node side; workerd fetches it).
          globalSetup: ["./test/support/receiver.ts"],
        },
      },
      {
        test: {
          name: "node",
          include: [
            "test/protocol/**/*.test.ts",
            "test/beacon/**/*.test.ts",
            "test/faces/**/*.test.ts",
            "test/admin/**/*.test.ts",
            "test/ledger/**/*.test.ts",
          ],
          // Live tests of Worker endpoints still being built (maintenance windows): run them by path.
          exclude: [...configDefaults.exclude, "**/*.live.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          // One rig at a time: wrangler dev, beacons and tmux servers on a 2-core machine.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      ...benches,
    ],
  },
});
