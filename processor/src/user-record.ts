import { z } from "zod";
import type { UserRecord } from "../../common/src/user-schema.ts";

/**
 * The driver writes a timestamp column through a JS Date, which ends at ±8.64e15 ms: a time past it would be
 * refused on every attempt, and the processor would stop on it ("permanent") at every restart.
 */
const JS_DATE_LIMIT_MS = 8_640_000_000_000_000;
const epochMs = z.number().int().min(-JS_DATE_LIMIT_MS).max(JS_DATE_LIMIT_MS);
const text = z.string();
/**
 * Cassandra refuses an empty key, and one over 65 535 bytes: the users row and the username lookup row
 * each need a valid one.
 */
const key = z
  .string()
  .min(1)
  .refine((s) => fitsCassandraKey(s), { message: "longer than Cassandra's 65535-byte key limit" });

/** Whether a non-empty text value can be a Cassandra key component (at most 65 535 bytes of UTF-8). */
export function fitsCassandraKey(s: string): boolean {
  // A UTF-16 unit is at most 3 bytes of UTF-8: short strings need no counting.
  return s.length <= 21_845 || Buffer.byteLength(s, "utf8") <= 65_535;
}

/**
 * A users-topic record as the processor stores it (contract §3), checked once, where it is decoded: the
 * Avro reader guarantees the types, this adds what Avro cannot say (keys not empty, integral times).
 */
const UserRecordSchema = z.object({
  event_id: key,
  event_time: epochMs,
  title: text,
  first_name: text,
  last_name: text,
  gender: text,
  nat: text,
  country: text,
  city: text,
  state: text,
  street: text,
  postcode: text,
  latitude: z.number(),
  longitude: z.number(),
  timezone_offset: text,
  timezone_description: text.nullable().optional(),
  email: text,
  username: key,
  age: z.number().int(),
  dob: epochMs,
  registered_at: epochMs,
  phone: text,
  cell: text,
  id_name: text,
  id_value: text.nullable().optional(),
  picture: text,
  source: text.nullable().optional(),
}) satisfies z.ZodType<UserRecord>;

export type ValidUser = z.infer<typeof UserRecordSchema>;

export type UserCheck = { ok: true; user: ValidUser } | { ok: false; reason: string };

export function checkUserRecord(value: unknown): UserCheck {
  const parsed = UserRecordSchema.safeParse(value);
  if (parsed.success) return { ok: true, user: parsed.data };
  const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(record)"}: ${i.message}`);
  return { ok: false, reason: `invalid user record: ${issues.join("; ")}` };
}
