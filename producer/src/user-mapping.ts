import type avro from "avsc";
import { z } from "zod";
import { checkEventTime, DEFAULT_MAX_FUTURE_SKEW_MS } from "../../common/src/event-time.ts";
import { schemaViolations, type UserRecord } from "../../common/src/user-schema.ts";
import { describeIssues, MAX_EVENT_ID_CHARS, RandomUserSchema } from "./random-user.ts";

export type IngestSource = "api" | "synthetic" | "fixture";

export type MapResult =
  | { ok: true; record: UserRecord }
  | { ok: false; stage: "map" | "schema"; reason: string; eventId: string | null };

const isoDate = z.iso.datetime({ offset: true });

/** The event-time rule of common/src/event-time.ts: EVENT_TIME_MAX_FUTURE_SKEW_MS and the clock it is read against. */
export interface EventTimeBounds {
  maxFutureSkewMs: number;
  now: () => number;
}

/** EVENT_TIME_MAX_FUTURE_SKEW_MS's default against the wall clock. */
export const DEFAULT_EVENT_TIME_BOUNDS: EventTimeBounds = {
  maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS,
  now: Date.now,
};

/**
 * API user → the Avro record of contract §3. Only login.uuid and login.username leave the login object:
 * passwords and hashes are never read. Strings are made well-formed (a lone surrogate becomes U+FFFD) so the
 * record round-trips through UTF-8 unchanged. An event time outside the bounds (in the future beyond the
 * skew, before the epoch, not an integer) is refused here, so it never reaches Kafka and no watermark. A
 * reason names fields and bounds, never the values: it is stored and logged.
 */
export function mapUser(
  raw: unknown,
  eventTime: number,
  type: avro.Type,
  source: IngestSource | null = null,
  bounds: EventTimeBounds = DEFAULT_EVENT_TIME_BOUNDS,
): MapResult {
  const parsed = RandomUserSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, stage: "map", reason: describeIssues(parsed.error), eventId: guessEventId(raw) };
  }
  const user = parsed.data;
  const eventId = user.login.uuid;
  const problems: string[] = [];
  const latitude = coordinate(user.location.coordinates.latitude, 90, "latitude", problems);
  const longitude = coordinate(user.location.coordinates.longitude, 180, "longitude", problems);
  const dob = isoMillis(user.dob.date, "dob.date", problems);
  const registeredAt = isoMillis(user.registered.date, "registered.date", problems);
  const time = checkEventTime(eventTime, bounds.now(), bounds.maxFutureSkewMs);
  if (!time.ok) problems.push(time.reason);
  if (problems.length > 0) return { ok: false, stage: "map", reason: problems.join("; "), eventId };

  const record: UserRecord = {
    event_id: text(eventId),
    event_time: eventTime,
    title: text(user.name.title),
    first_name: text(user.name.first),
    last_name: text(user.name.last),
    gender: text(user.gender),
    nat: text(user.nat),
    country: text(user.location.country),
    city: text(user.location.city),
    state: text(user.location.state),
    street: text(`${user.location.street.number} ${user.location.street.name}`),
    postcode: text(String(user.location.postcode)),
    latitude,
    longitude,
    timezone_offset: text(user.location.timezone.offset),
    email: text(user.email),
    username: text(user.login.username),
    age: user.dob.age,
    dob,
    registered_at: registeredAt,
    phone: text(user.phone),
    cell: text(user.cell),
    id_name: text(user.id.name),
    id_value: user.id.value === null ? null : text(user.id.value),
    picture: text(user.picture.large),
  };
  // Each version's own fields: v2 adds the timezone's description and the source, and drops id_value.
  const fields = schemaFields(type);
  if (fields.has("timezone_description"))
    record.timezone_description = text(user.location.timezone.description);
  if (fields.has("source")) record.source = source;
  if (!fields.has("id_value")) delete record.id_value;

  // isValid alone is the fast path; the error hook only runs to explain a failure.
  const violations = type.isValid(record) ? [] : schemaViolations(type, record);
  if (violations.length > 0) return { ok: false, stage: "schema", reason: violations.join("; "), eventId };
  return { ok: true, record };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function text(s: string): string {
  return s.replace(LONE_SURROGATE, "\uFFFD");
}

function coordinate(value: string | number, limit: number, name: string, problems: string[]): number {
  const n = typeof value === "number" ? value : value.trim() === "" ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || Math.abs(n) > limit) {
    problems.push(`location.coordinates.${name}: not a number from -${limit} to ${limit}`);
  }
  return n;
}

function isoMillis(value: string, name: string, problems: string[]): number {
  const ms = isoDate.safeParse(value).success ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) problems.push(`${name}: not an ISO 8601 date-time with an offset`);
  return ms;
}

const fieldsCache = new WeakMap<avro.Type, ReadonlySet<string>>();
function schemaFields(type: avro.Type): ReadonlySet<string> {
  let fields = fieldsCache.get(type);
  if (fields === undefined) {
    const schema = type.schema() as { fields?: { name: string }[] };
    fields = new Set(schema.fields?.map((f) => f.name));
    fieldsCache.set(type, fields);
  }
  return fields;
}

/** The login.uuid of a user that failed validation, when it has one: the dead letter is keyed by it. */
function guessEventId(raw: unknown): string | null {
  if (raw === null || typeof raw !== "object") return null;
  const login = (raw as { login?: unknown }).login;
  if (login === null || typeof login !== "object") return null;
  const uuid = (login as { uuid?: unknown }).uuid;
  return typeof uuid === "string" && uuid.length > 0 && uuid.length <= MAX_EVENT_ID_CHARS ? uuid : null;
}
