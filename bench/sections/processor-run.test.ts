import { describe, expect, it } from "vitest";
import { countsCheck } from "./processor-run.ts";

describe("countsCheck", () => {
  it("holds when every group counts the events that were not late", () => {
    expect(countsCheck({ all: 98, nat: 98, gender: 98 }, 100, 2).ok).toBe(true);
  });

  it("fails on a missing group, a double count or a lost event", () => {
    expect(countsCheck({ all: 100, nat: 100 }, 100, 0).ok).toBe(false);
    expect(countsCheck({ all: 100, nat: 101, gender: 100 }, 100, 0).ok).toBe(false);
    expect(countsCheck({ all: 99, nat: 100, gender: 100 }, 100, 0)).toEqual({
      ok: false,
      expected: 100,
      counts: { all: 99, nat: 100, gender: 100 },
    });
  });
});
