import { describe, expect, it } from "vitest";
import { schemaViolations, userSchema } from "./user-schema.ts";

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

  it("v2 only adds an optional source with a default, so v1 readers and writers stay compatible", () => {
    const v1 = fields(1).map((f) => f.name);
    const added = fields(2).filter((f) => !v1.includes(f.name));
    expect(added).toEqual([
      expect.objectContaining({ name: "source", type: ["null", "string"], default: null }),
    ]);
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
