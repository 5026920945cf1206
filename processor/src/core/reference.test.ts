import { describe, expect, it } from "vitest";
import { batchReference, referenceWindowStarts, streamingReference, sumPartitions } from "./reference.ts";

const config = { windowSizeMs: 10, allowedLatenessMs: 5, idleTimeoutMs: 100, groupBy: ["nat"] };

describe("batchReference", () => {
  it("aggregates every valid event whatever its order, summed over partitions", () => {
    const rows = batchReference(
      [
        { partition: 1, eventTime: 25, fields: { nat: "US", age: 30 } },
        { partition: 0, eventTime: 3, fields: { nat: "US", age: 10 } },
        { partition: 1, eventTime: 9, fields: { nat: "FR", age: 20 } },
        { partition: 0, eventTime: 9, fields: { nat: "US", age: Number.NaN } },
      ],
      config,
    );
    expect(rows).toEqual([
      { windowStart: 0, windowEnd: 10, group: "all", key: "*", count: 2, sum: 30, min: 10, max: 20, avg: 15 },
      {
        windowStart: 0,
        windowEnd: 10,
        group: "nat",
        key: "FR",
        count: 1,
        sum: 20,
        min: 20,
        max: 20,
        avg: 20,
      },
      {
        windowStart: 0,
        windowEnd: 10,
        group: "nat",
        key: "US",
        count: 1,
        sum: 10,
        min: 10,
        max: 10,
        avg: 10,
      },
      {
        windowStart: 20,
        windowEnd: 30,
        group: "all",
        key: "*",
        count: 1,
        sum: 30,
        min: 30,
        max: 30,
        avg: 30,
      },
      {
        windowStart: 20,
        windowEnd: 30,
        group: "nat",
        key: "US",
        count: 1,
        sum: 30,
        min: 30,
        max: 30,
        avg: 30,
      },
    ]);
  });

  it("puts a hopping event in W/S windows, before 1970 too", () => {
    expect(referenceWindowStarts(-1, 30, 10)).toEqual([-30, -20, -10]);
    expect(referenceWindowStarts(30, 30, 10)).toEqual([10, 20, 30]);
    const rows = batchReference([{ partition: 0, eventTime: 5, fields: { age: 1 } }], {
      ...config,
      groupBy: [],
      windowSizeMs: 20,
      windowSlideMs: 10,
    });
    expect(rows.map((r) => r.windowStart)).toEqual([-10, 0]);
  });
});

describe("streamingReference", () => {
  it("drops an event whose window ended at or before the watermark, and finalizes in order", () => {
    const r = streamingReference(
      [
        { kind: "event", partition: 0, eventTime: 15, fields: { nat: "US", age: 1 } },
        { kind: "event", partition: 0, eventTime: 9, fields: { nat: "US", age: 2 } },
        { kind: "event", partition: 0, eventTime: 10, fields: { nat: "US", age: 3 } },
        { kind: "event", partition: 0, eventTime: 40, fields: { nat: "US", age: 4 } },
      ],
      config,
      [0],
      0,
    );
    expect(r.late).toEqual([1]);
    expect(r.finals.map((f) => [f.windowStart, f.group, f.count])).toEqual([
      [10, "all", 2],
      [10, "nat", 2],
    ]);
    expect(r.open.map((f) => f.windowStart)).toEqual([40, 40]);
    expect(r.watermarks.get(0)).toBe(35);
  });

  it("holds the watermark at the slowest busy partition until it goes idle", () => {
    const r = streamingReference(
      [
        { kind: "event", partition: 0, eventTime: 100, fields: { nat: "US", age: 1 } },
        { kind: "event", partition: 1, eventTime: 20, fields: { nat: "US", age: 1 } },
        { kind: "tick", now: 50 },
        { kind: "event", partition: 0, eventTime: 101, fields: { nat: "US", age: 1 } },
        { kind: "tick", now: 120 },
      ],
      config,
      [0, 1],
      0,
    );
    // At 120 partition 1 (silent since 0) is idle, partition 0 (active at 50) is not.
    expect(r.watermarks).toEqual(
      new Map([
        [0, 96],
        [1, 96],
      ]),
    );
    expect(sumPartitions(r.finals).map((f) => [f.windowStart, f.group, f.count])).toEqual([
      [20, "all", 1],
      [20, "nat", 1],
    ]);
  });
});
