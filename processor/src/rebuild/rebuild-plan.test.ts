import { describe, expect, it } from "vitest";
import {
  liveHorizon,
  parseFrom,
  parseInstant,
  Refusal,
  resolveRange,
  startOffset,
  type WindowGeometry,
} from "./rebuild-plan.ts";

const g: WindowGeometry = { sizeMs: 10_000, slideMs: 10_000, allowedLatenessMs: 5_000 };
const T0 = Date.parse("2026-01-01T00:00:00Z");

describe("rebuild --from / --to", () => {
  it("reads ISO instants with a zone and epoch milliseconds, nothing else", () => {
    expect(parseInstant("2026-01-01T00:00:00Z")).toBe(T0);
    expect(parseInstant("2026-01-01T01:00:00+01:00")).toBe(T0);
    expect(parseInstant(String(T0))).toBe(T0);
    expect(parseInstant("2026-01-01")).toBeNull();
    expect(parseInstant("yesterday")).toBeNull();
  });

  it("reads offsets for every partition or by partition", () => {
    expect(parseFrom("offset:120")).toEqual({
      kind: "offsets",
      offsets: [{ partition: null, offset: 120 }],
    });
    expect(parseFrom("0:10,2:30")).toEqual({
      kind: "offsets",
      offsets: [
        { partition: 0, offset: 10 },
        { partition: 2, offset: 30 },
      ],
    });
    expect(parseFrom("0:10,0:30")).toBeNull();
    expect(parseFrom("2026-01-01T00:00:00Z")).toEqual({ kind: "time", ms: T0 });
  });
});

describe("the range", () => {
  it("is as far as every partition's checkpointed watermark, on window starts", () => {
    const horizon = liveHorizon(2, [
      { partition: 0, nextOffset: 10, watermark: T0 + 95_000 },
      { partition: 1, nextOffset: 10, watermark: T0 + 87_000 },
    ]);
    expect(horizon).toBe(T0 + 87_000);
    // The last window ending at or before the horizon starts at T0 + 70 000.
    expect(resolveRange(g, T0 + 3_000, null, horizon)).toEqual({
      from: T0 + 10_000,
      to: T0 + 80_000,
      lastEnd: T0 + 80_000,
    });
    expect(() => resolveRange(g, T0, T0 + 90_000, horizon)).toThrow(/still open/);
    expect(() => resolveRange(g, T0 + 80_000, null, horizon)).toThrow(Refusal);
  });

  it("hopping: the last window must end before the horizon", () => {
    const hop = { sizeMs: 10_000, slideMs: 5_000, allowedLatenessMs: 5_000 };
    expect(resolveRange(hop, T0, null, T0 + 30_000)).toEqual({
      from: T0,
      to: T0 + 25_000,
      lastEnd: T0 + 30_000,
    });
  });

  it("is refused while a partition has no checkpointed watermark", () => {
    expect(() => liveHorizon(2, [{ partition: 0, nextOffset: 1, watermark: T0 }])).toThrow(/partition 1/);
    expect(() => liveHorizon(1, [{ partition: 0, nextOffset: 0, watermark: null }])).toThrow(/nothing final/);
  });
});

describe("where a partition is read from", () => {
  const marks = [
    { nextOffset: 900, watermark: T0 + 58_000 },
    { nextOffset: 700, watermark: T0 + 44_000 },
  ];

  it("after the newest mark whose watermark + L is before the range, else from offset 0", () => {
    expect(startOffset("t", 0, T0 + 60_000, g, marks, 0, -1)).toBe(700);
    expect(startOffset("t", 0, T0 + 64_000, g, marks, 0, -1)).toBe(900);
    expect(startOffset("t", 0, T0 + 40_000, g, marks, 0, -1)).toBe(0);
  });

  it("refuses, saying why, when Kafka deleted records it must read", () => {
    expect(startOffset("t", 0, T0 + 60_000, g, marks, 700, 1000)).toBe(700);
    expect(() => startOffset("t", 3, T0 + 60_000, g, marks, 701, 1000)).toThrow(
      /older than what Kafka still holds: partition 3 of t starts at offset 701/,
    );
    expect(() => startOffset("t", 0, T0 + 40_000, g, [], 5, 1000)).toThrow(/retention.ms 1000/);
  });
});
