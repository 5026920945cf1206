import { describe, expect, it } from "vitest";
import { reportedRun } from "./bench-env.ts";

describe("reportedRun", () => {
  const run = (eventsPerSec: number, ok = true) => ({ eventsPerSec, ok });

  it("keeps the faster of two right runs", () => {
    expect(reportedRun(run(10), run(20))).toEqual(run(20));
    expect(reportedRun(run(20), run(10))).toEqual(run(20));
  });

  it("reports a run with wrong counts, however fast a right one was", () => {
    expect(reportedRun(run(20), run(10, false))).toEqual(run(10, false));
    expect(reportedRun(run(10, false), run(20))).toEqual(run(10, false));
  });

  it("takes the first run", () => {
    expect(reportedRun(undefined, run(5))).toEqual(run(5));
  });
});
