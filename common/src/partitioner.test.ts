import { describe, expect, it } from "vitest";
import { partitionOf } from "./partitioner.ts";

describe("partitionOf", () => {
  it("is CRC-32 of the key modulo the partition count", () => {
    // CRC-32("123456789") is the check value 0xCBF43926 of the IEEE polynomial.
    expect(partitionOf("123456789", 1_000_000)).toBe(0xcbf43926 % 1_000_000);
    expect(partitionOf("anything", 1)).toBe(0);
    expect(() => partitionOf("k", 0)).toThrow(/partition count/);
  });
});
