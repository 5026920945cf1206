import { describe, expect, it } from "vitest";
import { isIdle, minActiveWatermark, type PartitionClock, processorWatermark } from "./watermark.ts";

const L = 5_000;
const IDLE = 3_000;
const part = (maxEventTime: number, idle = false, lastActiveMs = 0): PartitionClock => ({
  maxEventTime,
  idle,
  lastActiveMs,
});

describe("watermark", () => {
  it("is the minimum over partitions that are not idle, max event time − L", () => {
    expect(processorWatermark([part(20_000), part(12_000), part(1_000, true)], L, IDLE, 0)).toBe(7_000);
  });

  it("is held at −∞ by a busy partition that has no event yet", () => {
    expect(processorWatermark([part(20_000), part(Number.NEGATIVE_INFINITY)], L, IDLE, 0)).toBe(
      Number.NEGATIVE_INFINITY,
    );
  });

  it("is −∞ with no partition, or none with data", () => {
    expect(processorWatermark([], L, IDLE, 10_000)).toBe(Number.NEGATIVE_INFINITY);
    expect(processorWatermark([part(Number.NEGATIVE_INFINITY, true)], L, IDLE, 10_000)).toBe(
      Number.NEGATIVE_INFINITY,
    );
  });

  it("advances with processing time once every partition is idle, from the last delivery + timeout", () => {
    const parts = [part(50_000, true, 1_000), part(40_000, true, 2_000)];
    expect(processorWatermark(parts, L, IDLE, 5_000)).toBe(45_000);
    expect(processorWatermark(parts, L, IDLE, 65_000)).toBe(105_000);
  });

  it("minActiveWatermark skips idle partitions and says +∞ when none is left", () => {
    const a = part(30_000);
    const b = part(10_000, true);
    expect(minActiveWatermark([a, b], L)).toBe(25_000);
    expect(minActiveWatermark([b], L)).toBe(Number.POSITIVE_INFINITY);
  });

  it("calls a partition idle when it has been silent for the timeout, not before", () => {
    expect(isIdle(part(0, false, 1_000), 3_999, IDLE)).toBe(false);
    expect(isIdle(part(0, false, 1_000), 4_000, IDLE)).toBe(true);
  });
});
