import { describe, expect, it } from "vitest";
import { instancePlan, restarts } from "./instances.ts";

describe("instance plans", () => {
  it("gives each instance its own status port after the configured one", () => {
    const ports = [0, 1, 2].map((i) => instancePlan(i, { metricsPort: 9464, instance: undefined }).env);
    expect(ports.map((e) => e.PROCESSOR_METRICS_PORT)).toEqual(["9464", "9465", "9466"]);
    expect(ports.every((e) => e.PROCESSOR_INSTANCES === "1" && e.PROCESSOR_INSTANCE === undefined)).toBe(
      true,
    );
  });

  it("keeps port 0 (any free port; the registry says which) and numbers a configured name", () => {
    const env = instancePlan(1, { metricsPort: 0, instance: "proc" }).env;
    expect(env).toEqual({
      PROCESSOR_INSTANCES: "1",
      PROCESSOR_METRICS_PORT: "0",
      PROCESSOR_INSTANCE: "proc-2",
    });
  });

  it("restarts a crashed or killed instance, never a stopped or failed-for-good one", () => {
    expect(restarts(1, false)).toBe(true);
    expect(restarts(null, false)).toBe(true);
    expect(restarts(0, false)).toBe(false);
    expect(restarts(2, false)).toBe(false);
    expect(restarts(1, true)).toBe(false);
  });
});
