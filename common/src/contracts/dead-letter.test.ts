import { describe, expect, it } from "vitest";
import { buildDeadLetter, escapedPrefixLength, parseDeadLetter } from "./dead-letter.ts";

describe("buildDeadLetter", () => {
  it("builds the JSON of docs/internal-contracts.md and reads it back", () => {
    const msg = buildDeadLetter({
      reason: "line 4: not JSON",
      stage: "parse",
      source: "fixture",
      line: 4,
      payload: "{oops",
      at: 1_767_225_600_000,
    });
    expect(msg.key).toBeNull();
    expect(JSON.parse(msg.value.toString())).toEqual({
      reason: "line 4: not JSON",
      stage: "parse",
      source: "fixture",
      line: 4,
      payload: "{oops",
      at: 1_767_225_600_000,
    });
    expect(parseDeadLetter(msg.value)).toMatchObject({ stage: "parse", line: 4 });
  });

  it("keys by the event id when known and leaves line out when there is none", () => {
    const msg = buildDeadLetter({ reason: "r", stage: "map", source: "api", payload: "{}", key: "uuid-1" });
    expect(msg.key).toBe("uuid-1");
    expect(JSON.parse(msg.value.toString())).not.toHaveProperty("line");
  });

  it("refuses to read something that is not a dead letter", () => {
    expect(() => parseDeadLetter('{"reason": 1}')).toThrow();
  });
});

describe("buildDeadLetter's payload bound", () => {
  it("keeps a payload within maxPayloadBytes as written in the letter, and says so in the reason", () => {
    const quotes = '"'.repeat(700_000);
    const msg = buildDeadLetter({
      reason: "r",
      stage: "parse",
      source: "fixture",
      payload: quotes,
      maxPayloadBytes: 512 * 1024,
    });
    expect(msg.truncated).toBe(true);
    expect(msg.payloadBytes).toBe(700_000);
    expect(msg.value.length).toBeLessThan(512 * 1024 + 200);
    const letter = parseDeadLetter(msg.value);
    expect(letter.payload).toBe('"'.repeat(256 * 1024));
    expect(letter.reason).toBe("r [payload truncated to its first 262144 of 700000 bytes]");
  });

  it("leaves a payload that fits whole", () => {
    const msg = buildDeadLetter({
      reason: "r",
      stage: "map",
      source: "api",
      payload: "{}",
      maxPayloadBytes: 2,
    });
    expect(msg.truncated).toBe(false);
    expect(parseDeadLetter(msg.value)).toMatchObject({ reason: "r", payload: "{}" });
  });

  it("redacts before it cuts: a secret is gone even when the cut falls inside it", () => {
    const text = `{"login":{"password":"${"q".repeat(100)}"},"rest":"${"x".repeat(100)}"}`;
    for (let max = 0; max < text.length + 10; max++) {
      const letter = parseDeadLetter(
        buildDeadLetter({ reason: "r", stage: "map", source: "api", payload: text, maxPayloadBytes: max })
          .value,
      );
      expect(letter.payload).not.toContain("qq");
    }
  });

  it("measures escapes and UTF-8 as JSON.stringify writes them, never splitting a surrogate pair", () => {
    const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
    const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
    const samples = ['a"b\\c\nd', "\u0001\u001f\t", "é€😀x", "\ud800lone\udc00", "😀😀"];
    for (const s of samples) {
      const size = (k: number) => Buffer.byteLength(JSON.stringify(s.slice(0, k))) - 2;
      for (let max = 0; max <= 40; max++) {
        const n = escapedPrefixLength(s, max);
        expect(size(n)).toBeLessThanOrEqual(max);
        if (n < s.length) {
          const step = isHigh(s.charCodeAt(n)) && isLow(s.charCodeAt(n + 1)) ? 2 : 1;
          expect(size(n + step)).toBeGreaterThan(max);
        }
        if (n > 0) expect(isHigh(s.charCodeAt(n - 1)) && isLow(s.charCodeAt(n))).toBe(false);
      }
    }
  });
});
