import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["**/*.test.ts"],
          // tests/bun is `bun test`'s (bunfig.toml); web/src/runtime/smoke.test.ts runs it from here.
          exclude: [
            "**/*.int.test.ts",
            "**/*.e2e.test.ts",
            "**/*.cluster.test.ts",
            "node_modules/**",
            ".stack/**",
            ".stack-*/**",
            "tests/bun/**",
          ],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          // These talk to the real Kafka, registry and Cassandra that `bun run stack up` starts.
          name: "integration",
          include: ["**/*.int.test.ts", "**/*.e2e.test.ts"],
          exclude: ["node_modules/**", ".stack/**"],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          // The local 3-node cluster under chaos (`bun run test:cluster`, which brings the cluster up).
          name: "cluster",
          include: ["**/*.cluster.test.ts"],
          exclude: ["node_modules/**", ".stack/**", ".stack-*/**"],
          testTimeout: 1_200_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
