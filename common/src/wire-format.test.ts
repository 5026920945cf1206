import avro from "avsc";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeWire, encodeAvroWire, encodeWire } from "./wire-format.ts";

describe("Confluent wire format", () => {
  it("is magic byte 0, big-endian schema id, payload", () => {
    const out = encodeWire(0x01020304, Buffer.from([9, 8]));
    expect([...out]).toEqual([0, 1, 2, 3, 4, 9, 8]);
  });

  it("round-trips any id and payload", () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.uint8Array(), (id, bytes) => {
        const back = decodeWire(encodeWire(id, Buffer.from(bytes)));
        expect(back.schemaId).toBe(id);
        expect([...back.payload]).toEqual([...bytes]);
      }),
    );
  });

  it("refuses short messages and other magic bytes", () => {
    expect(() => decodeWire(Buffer.from([0, 0, 0]))).toThrow(/3 bytes/);
    expect(() => decodeWire(Buffer.from([1, 0, 0, 0, 1, 5]))).toThrow(/magic byte 1/);
  });
});

describe("encodeAvroWire", () => {
  it("equals encodeWire of toBuffer, for small values and ones larger than its scratch buffer", () => {
    const type = avro.Type.forSchema({ type: "record", name: "R", fields: [{ name: "s", type: "string" }] });
    for (const s of ["", "héllo", "x".repeat(200_000), "y".repeat(10)]) {
      const out = encodeAvroWire(type, 42, { s });
      expect(out.equals(encodeWire(42, type.toBuffer({ s })))).toBe(true);
    }
  });
});
