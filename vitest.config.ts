import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { TEST_ADMIN_TOKEN, TEST_BEAT_LIMIT } from "./test/support/secrets.ts";

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            main: "./worker/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: { ADMIN_TOKEN: TEST_ADMIN_TOKEN },
              ratelimits: { BEAT_LIMITER: { simple: { limit: TEST_BEAT_LIMIT, period: 60 } } },
            },
          }),
        ],
        // Generous: a 2-core CI machine runs workerd, wrangler and tmux tests side by side.
        test: { name: "worker", include: ["test/worker/**/*.test.ts"], testTimeout: 30_000 },
      },
      {
        test: {
          name: "node",
          include: ["test/protocol/**/*.test.ts", "test/beacon/**/*.test.ts", "test/faces/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
    ],
  },
});
