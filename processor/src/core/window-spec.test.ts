import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { referenceWindowStarts } from "./reference.ts";
import {
  firstOpenIndex,
  floorDiv,
  maxEventTime,
  windowSpec,
  windowStartOf,
  windowStartsOf,
} from "./window-spec.ts";

describe("windowStartOf", () => {
  it("puts a timestamp exactly on a boundary in the window it starts", () => {
    expect(windowStartOf(10_000, 10_000)).toBe(10_000);
    expect(windowStartOf(9_999, 10_000)).toBe(0);
    expect(windowStartOf(0, 10_000)).toBe(0);
  });

  it("floors negative timestamps (before 1970) toward −∞", () => {
    expect(windowStartOf(-1, 10_000)).toBe(-10_000);
    expect(windowStartOf(-10_000, 10_000)).toBe(-10_000);
    expect(windowStartOf(-10_001, 10_000)).toBe(-20_000);
  });

  it("is exact up to the largest accepted event time", () => {
    const W = 10_000;
    const top = maxEventTime(windowSpec(W));
    expect(top).toBe(Number.MAX_SAFE_INTEGER - W);
    for (const t of [top, top - 1, -top, -top + 1, 2 ** 52 + 1, -(2 ** 52) - 1]) {
      const exact = Number((BigInt(t) / BigInt(W) - (BigInt(t) % BigInt(W) < 0n ? 1n : 0n)) * BigInt(W));
      expect(windowStartOf(t, W)).toBe(exact);
      expect(Number.isSafeInteger(windowStartOf(t, W) + W)).toBe(true);
    }
  });

  it("matches BigInt floor division for any safe integer and size", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (t, s) => {
          const T = BigInt(t);
          const S = BigInt(s);
          const q = T / S - (T % S < 0n ? 1n : 0n);
          expect(floorDiv(t, s)).toBe(Number(q));
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe("windowSpec", () => {
  it("treats slide 0 and slide = size as tumbling", () => {
    expect(windowSpec(10_000)).toEqual({ sizeMs: 10_000, slideMs: 10_000, perEvent: 1 });
    expect(windowSpec(10_000, 10_000).perEvent).toBe(1);
  });

  it("rejects a slide that does not divide the size, and bad sizes", () => {
    expect(() => windowSpec(10_000, 3_000)).toThrow(/divide/);
    expect(() => windowSpec(10_000, 20_000)).toThrow(/divide/);
    expect(() => windowSpec(0)).toThrow(/positive/);
    expect(() => windowSpec(1.5)).toThrow(/positive/);
  });

  it("lists every hopping window holding t, oldest first", () => {
    const spec = windowSpec(30, 10);
    expect(windowStartsOf(spec, 25)).toEqual([0, 10, 20]);
    expect(windowStartsOf(spec, 30)).toEqual([10, 20, 30]);
    expect(windowStartsOf(spec, -1)).toEqual([-30, -20, -10]);
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 6 }),
        (t, s, n) => {
          expect(windowStartsOf(windowSpec(s * n, s), t)).toEqual(referenceWindowStarts(t, s * n, s));
        },
      ),
    );
  });
});

describe("firstOpenIndex", () => {
  it("is the oldest window whose end is after the watermark (end == watermark is final)", () => {
    const spec = windowSpec(10);
    expect(firstOpenIndex(spec, 10)).toBe(1); // [0,10) ends at 10 <= 10: final
    expect(firstOpenIndex(spec, 9)).toBe(0);
    expect(firstOpenIndex(spec, -1)).toBe(-1); // [-10,0) ends at 0 > -1
    expect(firstOpenIndex(spec, -10)).toBe(-1);
    expect(firstOpenIndex(spec, -11)).toBe(-2);
    expect(firstOpenIndex(spec, Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
    const hop = windowSpec(30, 10);
    expect(firstOpenIndex(hop, 30)).toBe(1); // [0,30) final, [10,40) open
    expect(firstOpenIndex(hop, 29)).toBe(0);
  });
});
