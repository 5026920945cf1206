import { describe, expect, it } from "vitest";
import { isoSeconds, parseInstant } from "./instant.ts";

describe("parseInstant", () => {
  it.each([
    ["1767225600000", 1_767_225_600_000],
    ["0", 0],
    ["2026-01-01T00:00:00Z", 1_767_225_600_000],
    ["2026-01-01T00:00:00.250Z", 1_767_225_600_250],
    ["2026-01-01T00:00", 1_767_225_600_000],
    ["2026-01-01 00:00:05", 1_767_225_605_000],
    ["2026-01-01", 1_767_225_600_000],
    ["2026-01-01T01:00:00+01:00", 1_767_225_600_000],
    [" 2026-01-01T00:00:00Z ", 1_767_225_600_000],
  ])("reads %s", (text, ms) => {
    expect(parseInstant(text)).toBe(ms);
  });

  it.each([
    undefined,
    "",
    "now",
    "-5",
    "1e12",
    "2026-13-01",
    "2026-01-01T25:00",
    "01/01/2026",
    "9".repeat(16),
  ])("refuses %s", (text) => {
    expect(parseInstant(text)).toBeNull();
  });

  it("writes back what it reads", () => {
    expect(isoSeconds(1_767_225_605_000)).toBe("2026-01-01T00:00:05Z");
    expect(parseInstant(isoSeconds(1_767_225_605_000))).toBe(1_767_225_605_000);
  });
});
