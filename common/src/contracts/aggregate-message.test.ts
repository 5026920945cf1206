import { describe, expect, it } from "vitest";
import { decodeAggregateMessage, encodeAggregateMessage } from "./aggregate-message.ts";

const enc = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const msg = {
  windowStart: 0,
  windowEnd: 10_000,
  group: "nat",
  key: "FR",
  partition: 2,
  count: 3,
  sumAge: 90,
  minAge: 20,
  maxAge: 40,
  final: false,
  watermark: 5,
  emittedAt: 6,
};

describe("decodeAggregateMessage", () => {
  it("decodes a row and drops the extra fields", () => {
    const { watermark: _w, emittedAt: _e, ...row } = msg;
    expect(decodeAggregateMessage(enc(msg))).toEqual({ kind: "row", row, producedAt: null });
  });

  it("carries the fields aggregated beside age, and refuses malformed ones", () => {
    const fields = { registeredYears: { count: 2, sum: 9, min: 4, max: 5 } };
    const decoded = decodeAggregateMessage(enc({ ...msg, fields }));
    expect(decoded).toMatchObject({ kind: "row", row: { sumAge: 90, fields } });
    expect(
      decodeAggregateMessage(enc({ ...msg, fields: { x: { count: -1, sum: 0, min: 0, max: 0 } } })),
    ).toMatchObject({
      kind: "invalid",
    });
  });

  it("treats null min/max as 0 and an empty value as a tombstone", () => {
    expect(
      decodeAggregateMessage(enc({ ...msg, count: 0, sumAge: 0, minAge: null, maxAge: null })),
    ).toMatchObject({
      row: { minAge: 0, maxAge: 0 },
    });
    expect(decodeAggregateMessage(null)).toEqual({ kind: "tombstone" });
  });

  it("names what is wrong with a bad message", () => {
    expect(decodeAggregateMessage(enc("{oops"))).toMatchObject({
      kind: "invalid",
      reason: expect.stringMatching(/^not JSON/),
    });
    expect(decodeAggregateMessage(enc({ ...msg, count: "3" }))).toMatchObject({
      kind: "invalid",
      reason: expect.stringMatching(/^count:/),
    });
    expect(decodeAggregateMessage(enc({ ...msg, final: undefined }))).toMatchObject({
      kind: "invalid",
      reason: expect.stringMatching(/^final:/),
    });
  });
});

describe("producedAt", () => {
  it("is passed on beside the row when the update carries it (end-to-end latency), null otherwise", () => {
    const value = JSON.stringify({ ...msg, producedAt: 1_700_000_000_123 });
    expect(decodeAggregateMessage(new TextEncoder().encode(value))).toMatchObject({
      kind: "row",
      producedAt: 1_700_000_000_123,
    });
    const bad = JSON.stringify({ ...msg, producedAt: "soon" });
    expect(decodeAggregateMessage(new TextEncoder().encode(bad))).toMatchObject({
      kind: "row",
      producedAt: null,
    });
  });
});

describe("encodeAggregateMessage", () => {
  it("is what the decoder reads, keyed by group, key, window and partition", () => {
    const { key, value } = encodeAggregateMessage(msg);
    expect(key).toBe("nat|FR|0|2");
    const { watermark: _w, emittedAt: _e, ...row } = msg;
    expect(decodeAggregateMessage(new TextEncoder().encode(value))).toEqual({
      kind: "row",
      row,
      producedAt: null,
    });
  });
});
