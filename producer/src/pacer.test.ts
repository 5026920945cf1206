import { describe, expect, it } from "vitest";
import { type Clock, Pacer, parseSpeed } from "./pacer.ts";

function fakeClock(): Clock & { sleeps: number[] } {
  let t = 1000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

describe("Pacer", () => {
  it("sleeps until each offset after the first call", async () => {
    const clock = fakeClock();
    const pacer = new Pacer(clock, 1);
    for (const offset of [0, 100, 250, 250, 1000]) await pacer.at(offset);
    expect(clock.sleeps).toEqual([100, 150, 750]);
  });

  it("does not sleep for offsets already passed (out-of-order events)", async () => {
    const clock = fakeClock();
    const pacer = new Pacer(clock, 1);
    await pacer.at(0);
    await pacer.at(500);
    await pacer.at(200);
    expect(clock.sleeps).toEqual([500]);
  });

  it("bursts below its granularity", async () => {
    const clock = fakeClock();
    const pacer = new Pacer(clock, 10);
    for (let i = 0; i < 10; i++) await pacer.at(i);
    expect(clock.sleeps).toEqual([]);
  });
});

describe("parseSpeed", () => {
  it("reads factors", () => {
    expect(parseSpeed("1x")).toBe(1);
    expect(parseSpeed("10x")).toBe(10);
    expect(parseSpeed("0.5X")).toBe(0.5);
    expect(parseSpeed("3")).toBe(3);
  });

  it("refuses anything else with a clear error", () => {
    for (const bad of ["", "x", "0x", "-1x", "fast"]) expect(() => parseSpeed(bad)).toThrow(/--speed/);
  });
});
