import { describe, expect, it } from "vitest";
import { schemaViolations, userReaderType, userSchema } from "./user-schema.ts";

const CONTRACT_FIELDS = [
  "event_id",
  "event_time",
  "first_name",
  "last_name",
  "gender",
  "nat",
  "country",
  "city",
  "state",
  "postcode",
  "email",
  "username",
  "age",
  "dob",
  "registered_at",
  "phone",
  "picture",
];

type Field = { name: string; type: unknown; default?: unknown };
const fields = (v: 1 | 2) => (JSON.parse(userSchema(v).text) as { fields: Field[] }).fields;

describe("user schemas", () => {
  it("carry every field of contract §3, timestamps as timestamp-millis, age as int, postcode as string", () => {
    for (const v of [1, 2] as const) {
      const byName = new Map(fields(v).map((f) => [f.name, f]));
      for (const name of CONTRACT_FIELDS) expect(byName.has(name), `${name} in v${v}`).toBe(true);
      for (const name of ["event_time", "dob", "registered_at"]) {
        expect(byName.get(name)?.type).toEqual({ type: "long", logicalType: "timestamp-millis" });
      }
      expect(byName.get("age")?.type).toBe("int");
      expect(byName.get("postcode")?.type).toBe("string");
    }
  });

  it("v2 adds optional fields with a default and drops only a field that had one: BACKWARD and FORWARD", () => {
    const names = (v: 1 | 2) => fields(v).map((f) => f.name);
    const added = fields(2).filter((f) => !names(1).includes(f.name));
    expect(added).toEqual([
      expect.objectContaining({ name: "timezone_description", type: ["null", "string"], default: null }),
      expect.objectContaining({ name: "source", type: ["null", "string"], default: null }),
    ]);
    const dropped = fields(1).filter((f) => !names(2).includes(f.name));
    expect(dropped).toEqual([expect.objectContaining({ name: "id_value", default: null })]);
    // Each reads the other's data (avsc refuses a resolver it cannot build).
    expect(() => userSchema(2).type.createResolver(userSchema(1).type)).not.toThrow();
    expect(() => userSchema(1).type.createResolver(userSchema(2).type)).not.toThrow();
  });

  it("the reader holds every field of every version, so neither version's records lose a field", () => {
    const reader = userReaderType();
    const readerFields = (reader.schema() as { fields: Field[] }).fields.map((f) => f.name);
    for (const v of [1, 2] as const) for (const f of fields(v)) expect(readerFields).toContain(f.name);
    const base = {
      event_id: "e",
      event_time: 1,
      title: "Mr",
      first_name: "A",
      last_name: "B",
      gender: "male",
      nat: "FR",
      country: "France",
      city: "Paris",
      state: "IDF",
      street: "1 Rue",
      postcode: "75001",
      latitude: 1,
      longitude: 2,
      timezone_offset: "+1:00",
      email: "a@b.c",
      username: "ab",
      age: 30,
      dob: 2,
      registered_at: 3,
      phone: "1",
      cell: "2",
      id_name: "INSEE",
      picture: "https://x/y.jpg",
    };
    const v1 = userSchema(1).type;
    const v2 = userSchema(2).type;
    const fromV1 = reader.fromBuffer(v1.toBuffer({ ...base, id_value: "123" }), reader.createResolver(v1));
    expect(fromV1).toMatchObject({ id_value: "123", timezone_description: null, source: null });
    const written = { ...base, timezone_description: "Brussels, Paris", source: "api" };
    const fromV2 = reader.fromBuffer(v2.toBuffer(written), reader.createResolver(v2));
    expect(fromV2).toMatchObject({ id_value: null, timezone_description: "Brussels, Paris", source: "api" });
  });

  it("explains each violation by field and the kind of value, never the value itself", () => {
    expect(schemaViolations(userSchema(1).type, { age: "hunter2" })).toContain(
      "age: a string is not a valid int",
    );
    expect(schemaViolations(userSchema(1).type, { age: 41.5 })).toContain(
      "age: a number with a fraction is not a valid int",
    );
    expect(schemaViolations(userSchema(1).type, { id_value: 3 })).toContain(
      'id_value: an integer is not a valid ["null","string"]',
    );
    expect(schemaViolations(userSchema(1).type, { age: 2 ** 40 })).toContain(
      "age: an integer beyond 32 bits is not a valid int",
    );
  });
});
