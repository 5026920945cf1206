import { describe, expect, it } from "vitest";
import { ProcessorStatusReadSchema, ProcessorStatusSchema } from "./processor-status.ts";

const older = {
  instance: "a",
  group: "g",
  assigned: [0],
  watermark: null,
  partitions: [{ partition: 0, nextOffset: 5, watermark: null, idle: false }],
  processed: 5,
  late: 0,
  deadLettered: 0,
  eventsPerSec: 1,
  sinkLatencyMs: { p50: null, p99: null },
  startedAt: 1,
};

describe("processor status contract", () => {
  it("reads an older processor's answer, which the current one never sends", () => {
    expect(ProcessorStatusReadSchema.safeParse(older).success).toBe(true);
    expect(ProcessorStatusSchema.safeParse(older).success).toBe(false);
  });

  it("refuses what is not a status", () => {
    expect(ProcessorStatusReadSchema.safeParse({ ...older, refused: -1 }).success).toBe(false);
    expect(ProcessorStatusReadSchema.safeParse({ ...older, partitions: [{ partition: 0 }] }).success).toBe(
      false,
    );
  });
});
