import { isUtf8 } from "node:buffer";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstInvalidUtf8Byte } from "./utf8.ts";

describe("firstInvalidUtf8Byte", () => {
  it("finds the first bad byte", () => {
    const cases: [number[], number][] = [
      [[0x61, 0x62], -1],
      [[0x61, 0xff], 1],
      [[0xc3, 0xa9, 0xc3], 2],
      [[0xc0, 0x80], 0],
      [[0xed, 0xa0, 0x80], 0],
      [[0xf4, 0x90, 0x80, 0x80], 0],
      [[0xe2, 0x82, 0xac, 0x80], 3],
      [[0xf0, 0x9f, 0x98, 0x80, 0x41], -1],
    ];
    for (const [bytes, at] of cases) expect(firstInvalidUtf8Byte(Uint8Array.from(bytes))).toBe(at);
  });

  it("agrees with isUtf8, and everything before the offset is UTF-8", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string({ unit: "binary" }), (noise, text) => {
        const mixed = Buffer.concat([Buffer.from(text), Buffer.from(noise), Buffer.from(text)]);
        for (const bytes of [Buffer.from(text), Buffer.from(noise), mixed]) {
          const at = firstInvalidUtf8Byte(bytes);
          expect(at === -1).toBe(isUtf8(bytes));
          if (at >= 0) expect(isUtf8(bytes.subarray(0, at))).toBe(true);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
