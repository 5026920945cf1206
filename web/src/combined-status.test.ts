import { describe, expect, it } from "vitest";
import { combineStatuses } from "./combined-status.ts";
import type { ProcessorStatus } from "./ports.ts";

const status = (over: Partial<ProcessorStatus>): ProcessorStatus => ({
  instance: "p",
  group: "g",
  assigned: [],
  watermark: null,
  partitions: [],
  processed: 0,
  late: 0,
  deadLettered: 0,
  eventsPerSec: 0,
  sinkLatencyMs: { p50: null, p99: null },
  startedAt: 0,
  ...over,
});

describe("combineStatuses", () => {
  it("is null without an answer and one instance's status unchanged", () => {
    expect(combineStatuses([])).toBeNull();
    const one = status({ instance: "a", processed: 3 });
    expect(combineStatuses([one])).toBe(one);
  });

  it("sums the counts, takes the lowest watermark and the worst latency of several instances", () => {
    const a = status({
      instance: "a",
      assigned: [0, 2],
      watermark: 5_000,
      partitions: [
        { partition: 0, nextOffset: 10, watermark: 5_000, idle: false },
        { partition: 2, nextOffset: 7, watermark: 6_000, idle: false },
      ],
      processed: 100,
      late: 2,
      deadLettered: 1,
      eventsPerSec: 40,
      sinkLatencyMs: { p50: 2, p99: 9 },
      startedAt: 50,
      partlyLate: 1,
      pendingWrites: 10,
      batchSize: { last: 5, p50: 5, p99: 9, max: 9, limit: 100 },
    });
    const b = status({
      instance: "b",
      assigned: [1],
      watermark: 4_000,
      partitions: [{ partition: 1, nextOffset: 3, watermark: 4_000, idle: false }],
      processed: 50,
      late: 1,
      eventsPerSec: 20,
      sinkLatencyMs: { p50: 3, p99: 4 },
      startedAt: 40,
      refused: 2,
      paused: true,
      batchSize: { last: 7, p50: 1, p99: 20, max: 30, limit: 100 },
    });
    const c = combineStatuses([a, b])!;
    expect(c.instance).toBe("2 instances");
    expect(c.assigned).toEqual([0, 1, 2]);
    expect(c.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(c.watermark).toBe(4_000);
    expect([c.processed, c.late, c.deadLettered, c.eventsPerSec]).toEqual([150, 3, 1, 60]);
    expect([c.partlyLate, c.refused, c.pendingWrites]).toEqual([1, 2, 10]);
    expect(c.sinkLatencyMs).toEqual({ p50: 3, p99: 9 });
    expect(c.batchSize).toEqual({ last: 7, p50: 5, p99: 20, max: 30, limit: 100 });
    expect(c.startedAt).toBe(40);
    expect(c.paused).toBe(true);
    expect(c.failure).toBeNull();
  });

  it("keeps the further copy of a partition two instances report mid-rebalance, and names who failed", () => {
    const a = status({
      instance: "a",
      partitions: [{ partition: 0, nextOffset: 10, watermark: 1, idle: false }],
      failure: "late topic refused the write",
    });
    const b = status({
      instance: "b",
      partitions: [{ partition: 0, nextOffset: 12, watermark: 2, idle: false }],
    });
    const c = combineStatuses([a, b])!;
    expect(c.partitions).toEqual([{ partition: 0, nextOffset: 12, watermark: 2, idle: false }]);
    expect(c.failure).toBe("a: late topic refused the write");
  });
});
