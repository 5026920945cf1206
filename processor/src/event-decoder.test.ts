import avro from "avsc";
import { describe, expect, it } from "vitest";
import { userSchema } from "../../common/src/user-schema.ts";
import { encodeWire } from "../../common/src/wire-format.ts";
import { EventDecoder } from "./event-decoder.ts";
import { SchemaCache, type SchemaSource, UnknownSchemaError } from "./schema-cache.ts";

const v1 = userSchema(1);
const v2 = userSchema(2);
const record = {
  event_id: "0b7c3f1e-1111-4a4a-9c9c-123456789abc",
  event_time: 1_767_225_600_123,
  title: "Ms",
  first_name: "Анна",
  last_name: "Petrova",
  gender: "female",
  nat: "UA",
  country: "Ukraine",
  city: "Київ",
  state: "Kyiv",
  street: "12 Main",
  postcode: "01001",
  latitude: 50.45,
  longitude: 30.52,
  timezone_offset: "+2:00",
  email: "anna@example.com",
  username: "silverfrog12",
  age: 34,
  dob: 700_000_000_000,
  registered_at: 1_500_000_000_000,
  phone: "044-123-4567",
  cell: "067-123-4567",
  id_name: "",
  id_value: null,
  picture: "https://randomuser.me/api/portraits/women/1.jpg",
};

function source(schemas: Record<number, string>): SchemaSource & { fetched: number[] } {
  const fetched: number[] = [];
  return {
    fetched,
    async fetch(id) {
      fetched.push(id);
      const text = schemas[id];
      if (text === undefined) throw new UnknownSchemaError(`unknown schema id ${id}`);
      return text;
    },
  };
}

/** The decoders' clock: five months after the record's event time. */
const NOW = Date.parse("2026-06-01T00:00:00Z");
const HOUR = 3_600_000;

async function decoder(schemas: Record<number, string>, ids: number[]) {
  const src = source(schemas);
  const cache = new SchemaCache(src);
  await cache.load(ids);
  const bound = { maxFutureSkewMs: HOUR, now: () => NOW };
  return { src, dec: new EventDecoder(cache, ["age", "nat", "gender"], bound) };
}

describe("EventDecoder", () => {
  it("reads only the projected fields", async () => {
    const { dec } = await decoder({ 7: v1.text }, [7]);
    const out = dec.decode(encodeWire(7, v1.type.toBuffer(record)));
    expect(out).toEqual({
      ok: true,
      record: { event_time: record.event_time, age: 34, nat: "UA", gender: "female" },
      user: null,
    });
  });

  it("reads the whole record on request, through the user reader (v1 writer: source is its default)", async () => {
    const { dec } = await decoder({ 7: v1.text }, [7]);
    const out = dec.decode(encodeWire(7, v1.type.toBuffer(record)), true);
    expect(out.ok && out.user).toEqual({ ...record, timezone_description: null, source: null });
    expect(out.ok && out.record).toEqual({ ...record, timezone_description: null, source: null });
  });

  it("keeps the fields of the latest writer, and a field it dropped reads as its default", async () => {
    const { dec } = await decoder({ 8: v2.text }, [8]);
    const written = { ...record, id_value: "1-23", timezone_description: "Kyiv", source: "api" };
    const out = dec.decode(encodeWire(8, v2.type.toBuffer(written)), true);
    expect(out.ok && out.user).toEqual({
      ...record,
      id_value: null,
      timezone_description: "Kyiv",
      source: "api",
    });
  });

  it("reads a v1 record's id_value, which v2 dropped", async () => {
    const { dec } = await decoder({ 7: v1.text }, [7]);
    const out = dec.decode(encodeWire(7, v1.type.toBuffer({ ...record, id_value: "1-23" })), true);
    expect(out.ok && out.user).toMatchObject({ id_value: "1-23", timezone_description: null });
  });

  // BACKWARD compatibility lets a new writer drop a field; the registry accepts it, the processor must not
  // then store a user without its key.
  const v1Without = (drop: string, replace?: { type: unknown; default: unknown }) => {
    const schema = JSON.parse(v1.text) as { fields: { name: string }[] };
    schema.fields = replace
      ? schema.fields.map((f) => (f.name === drop ? { name: drop, ...replace } : f))
      : schema.fields.filter((f) => f.name !== drop);
    return JSON.stringify(schema);
  };

  it("refuses, with the reason, a writer that dropped a field the stored record needs", async () => {
    const text = v1Without("username");
    const { dec } = await decoder({ 9: text }, [9]);
    const { username: _, ...rest } = record;
    const value = encodeWire(9, avro.Type.forSchema(JSON.parse(text)).toBuffer(rest));
    const out = dec.decode(value, true);
    expect(out.ok).toBe(false);
    expect(!out.ok && out.reason).toMatch(/schema id 9 cannot be read as a user record: .*username/);
    // Aggregating needs no username: the projection still reads it.
    expect(dec.decode(value).ok).toBe(true);
  });

  it.each([
    ["an empty event id", { event_id: "" }, /event_id/],
    ["an empty username", { username: "" }, /username/],
  ])("refuses a record with %s", async (_, change, field) => {
    const { dec } = await decoder({ 7: v1.text }, [7]);
    const out = dec.decode(encodeWire(7, v1.type.toBuffer({ ...record, ...change })), true);
    expect(out.ok).toBe(false);
    expect(!out.ok && out.reason).toMatch(/^invalid user record: /);
    expect(!out.ok && out.reason).toMatch(field);
  });

  it("decodes records of an evolved writer schema", async () => {
    const { dec } = await decoder({ 8: v2.text }, [8]);
    const out = dec.decode(encodeWire(8, v2.type.toBuffer({ ...record, source: "api" })));
    expect(out.ok && out.record.nat).toBe("UA");
  });

  it("fetches each schema once", async () => {
    const { src } = await decoder({ 7: v1.text }, [7, 7]);
    const cache = new SchemaCache(src);
    await cache.load([7]);
    await cache.load([7]);
    expect(src.fetched).toEqual([7, 7]);
  });

  it.each([
    ["an empty value", Buffer.alloc(0), /not Confluent wire format: 0 bytes/],
    ["a wrong magic byte", Buffer.from([1, 0, 0, 0, 7, 2]), /magic byte 1/],
    ["an unknown schema id", encodeWire(99, v1.type.toBuffer(record)), /unknown schema id 99/],
    ["truncated Avro", encodeWire(7, v1.type.toBuffer(record)).subarray(0, 30), /undecodable Avro/],
  ])("reports %s with a reason", async (_, value, reason) => {
    const { dec } = await decoder({ 7: v1.text }, [7, 99]);
    const out = dec.decode(value);
    expect(out.ok).toBe(false);
    expect(!out.ok && out.reason).toMatch(reason);
  });

  describe("event-time bounds", () => {
    const at = (eventTime: number) => encodeWire(7, v1.type.toBuffer({ ...record, event_time: eventTime }));

    it.each([
      [
        "dated 2100",
        Date.parse("2100-01-01T00:00:00Z"),
        /is \d+ ms ahead of the clock, more than the allowed skew of 3600000 ms \(EVENT_TIME_MAX_FUTURE_SKEW_MS\)/,
      ],
      ["beyond what JS dates and the hour bucket hold", 9_000_000_000_000_000, /ahead of the clock/],
      ["before the Unix epoch", -1, /^event_time: -1 is before the Unix epoch$/],
    ])("refuses an event_time %s, projected or whole", async (_, eventTime, reason) => {
      const { dec } = await decoder({ 7: v1.text }, [7]);
      for (const full of [false, true]) {
        const out = dec.decode(at(eventTime), full);
        expect(out.ok).toBe(false);
        expect(!out.ok && out.reason).toMatch(reason);
      }
    });

    it("accepts up to the skew ahead of the clock", async () => {
      const { dec } = await decoder({ 7: v1.text }, [7]);
      expect(dec.decode(at(NOW + HOUR), true).ok).toBe(true);
      expect(dec.decode(at(NOW + HOUR + 1)).ok).toBe(false);
      expect(dec.decode(at(0)).ok).toBe(true);
    });

    it("bounds by the record's own timestamp when earlier, so a replay later judges it the same", async () => {
      const { dec } = await decoder({ 7: v1.text }, [7]);
      const sent = NOW - 10 * HOUR; // sent ten hours ago, dated 1.5 h after that
      expect(dec.decode(at(sent + 1.5 * HOUR), false, sent).ok).toBe(false);
      expect(dec.decode(at(sent + HOUR), false, sent).ok).toBe(true);
      // A timestamp in the future (forged, or a producer clock ahead) does not widen the bound.
      expect(dec.decode(at(NOW + 5 * HOUR), false, NOW + 10 * HOUR).ok).toBe(false);
      expect(dec.decode(at(NOW), false, 0).ok).toBe(true); // no timestamp: the clock
    });
  });

  it("rejects a writer schema without a needed field", async () => {
    const noAge = JSON.stringify({
      type: "record",
      name: "UserCreated",
      namespace: "dev.rtpipeline.users",
      fields: [
        { name: "event_time", type: "long" },
        { name: "nat", type: "string" },
        { name: "gender", type: "string" },
      ],
    });
    const { dec } = await decoder({ 5: noAge }, [5]);
    const out = dec.decode(encodeWire(5, Buffer.from([2, 2, 65, 2, 66])));
    expect(!out.ok && out.reason).toMatch(/has no field age/);
  });

  it("reports a schema that is not valid Avro", async () => {
    const { dec } = await decoder({ 6: '{"type": "nonsense"}' }, [6]);
    const out = dec.decode(encodeWire(6, Buffer.from([0])));
    expect(!out.ok && out.reason).toMatch(/schema id 6 is not a usable Avro schema/);
  });
});
