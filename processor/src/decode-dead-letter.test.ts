import { describe, expect, it } from "vitest";
import { parseDeadLetter } from "../../common/src/contracts/dead-letter.ts";
import { DEFAULT_DLQ_MAX_PAYLOAD_BYTES, decodeDeadLetter } from "./decode-dead-letter.ts";

const message = (value: Buffer | null) => ({
  value,
  key: Buffer.from("k-1"),
  partition: 2,
  offset: 41,
  source: "fixture",
});

describe("decodeDeadLetter", () => {
  it("carries a small value whole, base64, with the reason and where it came from", () => {
    const value = Buffer.from([1, 0, 0, 0, 7, 2, 3]);
    const l = decodeDeadLetter(message(value), "not Confluent wire format: magic byte 1");
    const letter = parseDeadLetter(l.value);
    expect(letter).toMatchObject({ stage: "decode", source: "fixture", reason: /magic byte 1/ });
    expect(Buffer.from(letter.payload, "base64").equals(value)).toBe(true);
    expect(l.key).toBe("k-1");
    expect(l.truncated).toBe(false);
    expect(l.headers).toEqual({
      source_partition: "2",
      source_offset: "41",
      payload_bytes: "7",
      payload_truncated: "false",
    });
  });

  it("cuts an ~800 KB value so that the letter stays under the producer's 1 000 000-byte limit", () => {
    const value = Buffer.alloc(800_000, 0x41);
    const l = decodeDeadLetter(message(value), "undecodable Avro: truncated buffer");
    expect(l.value.length).toBeLessThan(1_000_000);
    expect(l.truncated).toBe(true);
    expect(l.headers.payload_bytes).toBe("800000");
    expect(l.headers.payload_truncated).toBe("true");
    const letter = parseDeadLetter(l.value);
    expect(letter.reason).toMatch(/^undecodable Avro: truncated buffer/);
    expect(letter.reason).toMatch(/truncated to its first 524288 of 800000 bytes/);
    const kept = Buffer.from(letter.payload, "base64");
    expect(kept.length).toBe(DEFAULT_DLQ_MAX_PAYLOAD_BYTES);
    expect(kept.equals(value.subarray(0, kept.length))).toBe(true);
  });

  it("stays under the limit at the largest allowed payload bound, whatever the reason's length", () => {
    const l = decodeDeadLetter(message(Buffer.alloc(2_000_000, 7)), "x".repeat(1_000_000), 700_000);
    expect(l.value.length).toBeLessThan(1_000_000);
    expect(parseDeadLetter(l.value).reason).toMatch(/reason cut/);
  });

  it("takes an empty value", () => {
    const l = decodeDeadLetter(message(null), "empty message value");
    expect(parseDeadLetter(l.value).payload).toBe("");
    expect(l.headers.payload_bytes).toBe("0");
  });
});
