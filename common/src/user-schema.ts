import { readFileSync } from "node:fs";
import avro from "avsc";

// The Avro schemas of the users topic (contract §3), loaded from common/schema so that the producer (writer)
// and the processor (reader) share one definition. Timestamps stay plain epoch-ms numbers: no logical-type
// hook is installed, so avsc reads and writes the underlying long.
export type UserSchemaVersion = 1 | 2;

export interface UserRecord {
  event_id: string;
  event_time: number;
  title: string;
  first_name: string;
  last_name: string;
  gender: string;
  nat: string;
  country: string;
  city: string;
  state: string;
  street: string;
  postcode: string;
  latitude: number;
  longitude: number;
  timezone_offset: string;
  email: string;
  username: string;
  age: number;
  dob: number;
  registered_at: number;
  phone: string;
  cell: string;
  id_name: string;
  id_value: string | null;
  picture: string;
  /** v2 only: api | synthetic | fixture. */
  source?: string | null;
}

export interface UserSchema {
  version: UserSchemaVersion;
  /** The schema text as registered in the Schema Registry. */
  text: string;
  type: avro.Type;
}

const cache = new Map<UserSchemaVersion, UserSchema>();

export function userSchema(version: UserSchemaVersion = 1): UserSchema {
  const hit = cache.get(version);
  if (hit) return hit;
  const text = readFileSync(new URL(`../schema/user-v${version}.avsc`, import.meta.url), "utf8");
  const schema: UserSchema = { version, text, type: avro.Type.forSchema(JSON.parse(text)) };
  cache.set(version, schema);
  return schema;
}

/** Why a value does not fit the type, one reason per offending field; empty when it fits. */
export function schemaViolations(type: avro.Type, value: unknown): string[] {
  const reasons: string[] = [];
  type.isValid(value, {
    errorHook: (path, val, t) => {
      reasons.push(`${path.join(".") || "(record)"}: ${kindOf(val)} is not a valid ${describeType(t)}`);
    },
  });
  return reasons;
}

/** What a value is, in words that never show it: reasons are stored and must not carry input text. */
function kindOf(val: unknown): string {
  if (val === null || val === undefined) return String(val);
  if (typeof val === "number") {
    if (!Number.isFinite(val)) return "a non-finite number";
    if (!Number.isInteger(val)) return "a number with a fraction";
    return Number.isSafeInteger(val) && Math.abs(val) <= 2 ** 31 ? "an integer" : "an integer beyond 32 bits";
  }
  if (typeof val === "string") return "a string";
  if (Array.isArray(val)) return "an array";
  return `a ${typeof val}`;
}

function describeType(t: avro.Type): string {
  return t.typeName === "union:unwrapped" || t.typeName === "union:wrapped"
    ? JSON.stringify(t.schema())
    : t.typeName;
}
