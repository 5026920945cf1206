import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay, totalBackoff } from "./backoff.ts";

describe("backoffDelay", () => {
  it("without jitter: base·factor^retry up to the cap, factor 1 a constant wait", () => {
    const b = { baseMs: 100, maxMs: 1_000 };
    expect([0, 1, 2, 3, 4, 10, 5_000].map((r) => backoffDelay(b, r))).toEqual([
      100, 200, 400, 800, 1_000, 1_000, 1_000,
    ]);
    expect([0, 1, 7].map((r) => backoffDelay({ baseMs: 2_000, maxMs: 2_000, factor: 1 }, r))).toEqual([
      2_000, 2_000, 2_000,
    ]);
  });

  it("full jitter stays within [0, min(max, base·2^retry))", () => {
    fc.assert(
      fc.property(fc.nat(40), fc.double({ min: 0, max: 0.999999, noNaN: true }), (retry, r) => {
        const d = backoffDelay({ baseMs: 100, maxMs: 10_000, jitter: "full" }, retry, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(Math.min(10_000, 100 * 2 ** retry));
      }),
    );
  });

  it("full jitter grows exponentially until the cap", () => {
    const top = (retry: number) =>
      backoffDelay({ baseMs: 100, maxMs: 1_000, jitter: "full" }, retry, () => 0.999999);
    expect([0, 1, 2, 3, 4, 10].map(top)).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it("is jittered: the same retry gives different delays", () => {
    const delays = new Set(
      Array.from({ length: 50 }, () => backoffDelay({ baseMs: 250, maxMs: 30_000, jitter: "full" }, 5)),
    );
    expect(delays.size).toBeGreaterThan(1);
  });

  it("equal jitter stays within [wait/2, wait)", () => {
    fc.assert(
      fc.property(fc.nat(40), fc.double({ min: 0, max: 0.999999, noNaN: true }), (retry, r) => {
        const cap = Math.min(5_000, 100 * 2 ** retry);
        const d = backoffDelay({ baseMs: 100, maxMs: 5_000, jitter: "equal" }, retry, () => r);
        expect(d).toBeGreaterThanOrEqual(cap / 2);
        expect(d).toBeLessThan(cap);
      }),
    );
  });
});

describe("totalBackoff", () => {
  it("adds up the waits of the first retries without jitter", () => {
    expect(totalBackoff({ baseMs: 500, maxMs: 2_000, jitter: "full" }, 4)).toBe(500 + 1_000 + 2_000 + 2_000);
    expect(totalBackoff({ baseMs: 500, maxMs: 2_000 }, 0)).toBe(0);
  });
});
