import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

// The runtime split (README): everything but the Kafka and ws adapters runs under Bun. These tests run
// on Node, so they start Bun itself (installed by scripts/setup.sh, like the rest of the toolchain).
describe("the web app under Bun", () => {
  it("serves pages, the API, health, metrics and the SSE stream from Bun.serve", () => {
    const run = spawnSync("bun", ["web/src/bun-smoke.ts"], { encoding: "utf8", timeout: 60_000 });
    expect(run.error, "bun must be on PATH (scripts/setup.sh installs it)").toBeUndefined();
    const out = `${run.stdout}${run.stderr}`;
    expect(run.status, out).toBe(0);
    for (const check of [
      "GET / (dashboard)",
      "GET /api/aggregates",
      "GET /healthz",
      "GET /metrics",
      "GET /pipeline",
    ])
      expect(out).toContain(`ok ${check}`);
    expect(out).toContain("ok GET /api/stream (first event)");
  });
});
