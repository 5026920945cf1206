import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeRows, mergeWindowRows } from "./merge-windows.ts";
import type { WindowRow } from "./window-types.ts";

const row = (p: Partial<WindowRow>): WindowRow => ({
  windowStart: 0,
  windowEnd: 10_000,
  group: "nat",
  key: "FR",
  partition: 0,
  count: 1,
  sumAge: 30,
  minAge: 30,
  maxAge: 30,
  final: true,
  ...p,
});

describe("mergeWindowRows", () => {
  it("sums counts and ages, takes min/max, and is final only when every partition is", () => {
    const merged = mergeWindowRows([
      row({ partition: 0, count: 2, sumAge: 50, minAge: 20, maxAge: 30 }),
      row({ partition: 3, count: 1, sumAge: 70, minAge: 70, maxAge: 70, final: false }),
      row({ key: "DE", partition: 1 }),
      row({ windowStart: 10_000, windowEnd: 20_000, partition: 2 }),
    ]);
    expect(merged.rows).toEqual([1, 2, 1]);
    expect(merged.windows).toEqual([
      {
        windowStart: 0,
        windowEnd: 10_000,
        group: "nat",
        key: "DE",
        count: 1,
        sumAge: 30,
        minAge: 30,
        maxAge: 30,
        avgAge: 30,
        final: true,
      },
      {
        windowStart: 0,
        windowEnd: 10_000,
        group: "nat",
        key: "FR",
        count: 3,
        sumAge: 120,
        minAge: 20,
        maxAge: 70,
        avgAge: 40,
        final: false,
      },
      {
        windowStart: 10_000,
        windowEnd: 20_000,
        group: "nat",
        key: "FR",
        count: 1,
        sumAge: 30,
        minAge: 30,
        maxAge: 30,
        avgAge: 30,
        final: true,
      },
    ]);
  });

  it("ignores min/max of empty partition rows", () => {
    expect(
      mergeRows([
        row({ count: 0, sumAge: 0, minAge: 0, maxAge: 0 }),
        row({ partition: 1, minAge: 44, maxAge: 44, sumAge: 44 }),
      ]),
    ).toMatchObject({
      count: 1,
      minAge: 44,
      maxAge: 44,
    });
  });

  it("merges the extra aggregate fields over partitions beside the contract's age fields", () => {
    const merged = mergeRows([
      row({ count: 2, sumAge: 60, fields: { registeredYears: { count: 2, sum: 9, min: 4, max: 5 } } }),
      row({
        partition: 1,
        count: 1,
        sumAge: 30,
        fields: { registeredYears: { count: 1, sum: 12, min: 12, max: 12 } },
      }),
      // A record without the field (or a row of a processor aggregating age only) counts in the window only.
      row({ partition: 2, count: 1, sumAge: 30 }),
    ]);
    expect(merged).toMatchObject({ count: 4, sumAge: 120, avgAge: 30 });
    expect(merged.fields).toEqual({ registeredYears: { count: 3, sum: 21, min: 4, max: 12, avg: 7 } });
    expect(mergeRows([row({})]).fields).toBeUndefined();
  });

  it("equals aggregating all events at once, however they are split over partitions", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ age: fc.integer({ min: 0, max: 120 }), partition: fc.integer({ min: 0, max: 5 }) }),
          {
            minLength: 1,
          },
        ),
        (events) => {
          const rows = new Map<number, WindowRow>();
          for (const e of events) {
            const r = rows.get(e.partition);
            rows.set(
              e.partition,
              r
                ? {
                    ...r,
                    count: r.count + 1,
                    sumAge: r.sumAge + e.age,
                    minAge: Math.min(r.minAge, e.age),
                    maxAge: Math.max(r.maxAge, e.age),
                  }
                : row({ partition: e.partition, count: 1, sumAge: e.age, minAge: e.age, maxAge: e.age }),
            );
          }
          const ages = events.map((e) => e.age);
          const sum = ages.reduce((a, b) => a + b, 0);
          expect(mergeWindowRows([...rows.values()]).windows).toEqual([
            expect.objectContaining({
              count: ages.length,
              sumAge: sum,
              minAge: Math.min(...ages),
              maxAge: Math.max(...ages),
              avgAge: sum / ages.length,
            }),
          ]);
        },
      ),
    );
  });
});
