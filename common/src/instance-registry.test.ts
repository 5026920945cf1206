import { describe, expect, it } from "vitest";
import { GONE_AFTER_BEATS, type InstanceHeartbeat, liveness } from "./instance-registry.ts";

const beat = (over: Partial<InstanceHeartbeat>): InstanceHeartbeat => ({
  group: "g",
  instance: "i",
  address: "127.0.0.1:1",
  host: "h",
  pid: 1,
  startedAt: 0,
  heartbeatAt: 10_000,
  heartbeatIntervalMs: 1_000,
  assigned: [],
  status: "running",
  processed: 0,
  eventsPerSec: 0,
  groupBy: ["nat", "gender"],
  ...over,
});

describe("instance liveness", () => {
  it("is what the instance said while it beats, gone after missing the beats", () => {
    expect(liveness(beat({ status: "paused" }), 10_000 + GONE_AFTER_BEATS * 1_000)).toBe("paused");
    expect(liveness(beat({}), 10_001 + GONE_AFTER_BEATS * 1_000)).toBe("gone");
  });

  it("keeps a last word of stopped or failed, however old", () => {
    expect(liveness(beat({ status: "stopped" }), 1e9)).toBe("stopped");
    expect(liveness(beat({ status: "failed" }), 1e9)).toBe("failed");
  });
});
