import { describe, expect, it } from "vitest";
import { cpuSeconds, rssMb } from "./proc-stat.ts";

describe("proc-stat", () => {
  it("reads this process's CPU time and resident memory from /proc", () => {
    const before = cpuSeconds(process.pid);
    // Busy until Node itself counts 300 ms more CPU time: /proc must see about the same.
    const used = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    };
    const from = used();
    let x = 0;
    while (used() - from < 0.3) x += Math.sqrt(x + 1);
    const after = cpuSeconds(process.pid);
    expect(x).toBeGreaterThan(0);
    expect(before).toBeGreaterThan(0);
    expect(after! - before!).toBeGreaterThanOrEqual(0.25);
    expect(rssMb(process.pid)).toBeGreaterThan(10);
  });

  it("is undefined for a process that is gone", () => {
    expect(cpuSeconds(2 ** 22 + 1)).toBeUndefined();
    expect(rssMb(2 ** 22 + 1)).toBeUndefined();
  });
});
