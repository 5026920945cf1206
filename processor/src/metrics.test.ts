import { describe, expect, it } from "vitest";
import { RateMeter, RecentSample } from "./metrics.ts";

describe("RecentSample", () => {
  it("has no quantile before a sample", () => {
    expect(new RecentSample().quantile(0.5)).toBeNull();
  });

  it("keeps the most recent values only", () => {
    const s = new RecentSample(4);
    for (const v of [100, 100, 100, 100, 1, 2, 3, 4]) s.add(v);
    expect(s.quantile(0.5)).toBe(3);
    expect(s.quantile(0.99)).toBe(4);
    expect(s.latest()).toBe(4);
  });

  it("has no latest value before a sample", () => {
    expect(new RecentSample().latest()).toBeNull();
  });
});

describe("RateMeter", () => {
  it("computes the rate over the window", () => {
    const m = new RateMeter(5_000);
    expect(m.sample(0, 0)).toBe(0);
    expect(m.sample(1_000, 500)).toBe(500);
    expect(m.sample(2_000, 1_500)).toBe(750);
  });

  it("forgets samples older than the window", () => {
    const m = new RateMeter(2_000);
    m.sample(0, 0);
    m.sample(1_000, 10_000);
    m.sample(2_000, 10_000);
    expect(m.sample(3_000, 10_000)).toBe(0);
  });
});
