import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateFixtureEvents } from "./fixture-generator.ts";

const opts = { count: 500, seed: 7, startMs: 1_767_225_600_000, spacingMs: 5, lateEvery: 0, lateMs: 30_000 };

describe("generateFixtureEvents", () => {
  it("never puts an event more than disorderMs behind the largest time before it", () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(1_000), fc.nat(50), (disorderMs, seed, spacingMs) => {
        let max = Number.NEGATIVE_INFINITY;
        for (const e of generateFixtureEvents({ ...opts, count: 200, seed, spacingMs, disorderMs })) {
          expect(max - e.eventTime).toBeLessThanOrEqual(disorderMs);
          max = Math.max(max, e.eventTime);
        }
      }),
      { numRuns: 50 },
    );
  });

  it("is in order without disorder, and reproducible from its seed", () => {
    const a = [...generateFixtureEvents({ ...opts, disorderMs: 0 })];
    const times = a.map((e) => e.eventTime);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    const b = [...generateFixtureEvents({ ...opts, disorderMs: 0 })];
    expect(b).toEqual(a);
  });

  it("makes every lateEvery-th event lag by lateMs", () => {
    const events = [...generateFixtureEvents({ ...opts, disorderMs: 1_000, lateEvery: 10, lateMs: 20_000 })];
    const late = events.filter((e) => e.late);
    expect(late).toHaveLength(50);
    let max = Number.NEGATIVE_INFINITY;
    for (const e of events) {
      // Behind its own base by lateMs; the events before it may lag theirs by up to disorderMs.
      if (e.late) expect(max - e.eventTime).toBeGreaterThanOrEqual(20_000 - 1_000 - 2 * opts.spacingMs);
      max = Math.max(max, e.eventTime);
    }
  });
});
