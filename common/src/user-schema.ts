import { readFileSync } from "node:fs";
import avro from "avsc";

// The Avro schemas of the users topic (contract §3), loaded from common/schema so that the producer (writer)
// and the processor (reader) share one definition. Timestamps stay plain epoch-ms numbers: no logical-type
// hook is installed, so avsc reads and writes the underlying long.
export type UserSchemaVersion = 1 | 2;

/**
 * A writer schema of the user's own (the producer's --schema-file: a version tried before it ships). It must
 * be an Avro record; whether the registry takes it is the registry's decision, at registration.
 */
export function userSchemaFromFile(path: string): { text: string; type: avro.Type } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read schema file ${path}: ${(err as Error).message}`);
  }
  let type: avro.Type;
  try {
    type = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
  } catch (err) {
    throw new Error(`schema file ${path} is not an Avro schema: ${(err as Error).message}`);
  }
  if (type.typeName !== "record") throw new Error(`schema file ${path} is not an Avro record`);
  return { text, type };
}

/** Every version, oldest first: the readers below are built from all of them. */
const USER_SCHEMA_VERSIONS: readonly UserSchemaVersion[] = [1, 2];

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
  /** v1 only (v2 dropped it; readers get its default, null). */
  id_value?: string | null;
  picture: string;
  /** v2 only: location.timezone.description. */
  timezone_description?: string | null;
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

interface RecordSchema {
  type: "record";
  name: string;
  namespace?: string;
  doc?: string;
  fields: { name: string; type: unknown; default?: unknown }[];
}

let reader: avro.Type | null = null;

/**
 * The schema a consumer reads every version's records into: each field of any version, in the order they
 * first appear. A field that some version lacks (added later, or dropped) must have a default, which is what a
 * record of that version reads as; without one this throws, at load, rather than fail on the first record.
 * So dropping a field in a new version loses nothing of the records written before it.
 */
export function userReaderType(): avro.Type {
  if (reader) return reader;
  const versions = USER_SCHEMA_VERSIONS.map((v) => JSON.parse(userSchema(v).text) as RecordSchema);
  const latest = versions[versions.length - 1]!;
  const fields: RecordSchema["fields"] = [];
  for (const v of versions)
    for (const f of v.fields) if (!fields.some((x) => x.name === f.name)) fields.push(f);
  for (const f of fields) {
    const missing = versions.filter((v) => !v.fields.some((x) => x.name === f.name));
    if (missing.length > 0 && !("default" in f)) {
      throw new Error(`user schemas: field ${f.name} is not in every version and has no default`);
    }
  }
  reader = avro.Type.forSchema({ ...latest, fields } as avro.Schema);
  return reader;
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
