import avro from "avsc";
import { checkEventTime } from "../../common/src/event-time.ts";
import { userReaderType } from "../../common/src/user-schema.ts";
import { MAGIC_BYTE, WIRE_HEADER_BYTES } from "../../common/src/wire-format.ts";
import type { SchemaCache } from "./schema-cache.ts";
import { checkUserRecord, type ValidUser } from "./user-record.ts";

/** The fields the windowing needs, read without decoding the rest of the record. */
type Projected = Readonly<Record<string, string | number | null | undefined>>;

export type Decoded = { ok: true; record: Projected; user: ValidUser | null } | { ok: false; reason: string };

interface Readers {
  /** Reads only the projected fields (avsc skips the others without materializing them). */
  projected: avro.Type;
  resolver: avro.Resolver;
  /** The writer resolved into the processor's user reader, or why it cannot be; built on first use. */
  user?: avro.Resolver | string;
  writer: avro.Type;
}

/**
 * The user record as the processor reads it, whatever schema wrote it: every field of every project schema
 * version (common/src/user-schema.ts userReaderType), resolved from the writer schema of the record's id. A
 * field the writer lacks (timezone_description and source before v2, id_value from v2 on) comes out as its
 * default; a writer without a field the reader has no default for is refused with the reason.
 */
const USER_READER = userReaderType();

/** How far ahead an event_time may be (EVENT_TIME_MAX_FUTURE_SKEW_MS), and of which clock. */
export interface EventTimeBound {
  readonly maxFutureSkewMs: number;
  readonly now: () => number;
}

/**
 * Decodes Confluent wire-format values (magic byte, schema id, Avro) with the writer schema from the
 * registry. The projection holds event_time and the given fields; a writer without one of them cannot be
 * aggregated and its messages are reported as undecodable. Full user records (to be stored) are read
 * through the fixed user reader and validated here, once. Either way the event_time must be within the
 * pipeline's bounds (common/src/event-time.ts): a record dated far ahead would move its partition's
 * watermark there for good, and one past what the stores hold could never be written.
 */
export class EventDecoder {
  private readonly readers = new Map<number, Readers | string>();

  constructor(
    private readonly schemas: SchemaCache,
    private readonly fields: readonly string[],
    private readonly bound: EventTimeBound,
  ) {}

  /** Schema id of a wire-format value, or null when the header is not wire format. */
  static schemaId(value: Buffer | null | undefined): number | null {
    if (!value || value.length < WIRE_HEADER_BYTES || value[0] !== MAGIC_BYTE) return null;
    return value.readUInt32BE(1);
  }

  /**
   * The projected fields, or with `full` the whole validated user record (when it is stored anyway, one
   * decode is cheaper than two). Never throws: an unusable value comes back with the reason.
   *
   * `timestamp` is the Kafka record's (when the producer sent it): the future bound is taken from the
   * earlier of it and the clock, so a record is judged the same when a restart replays it later — a
   * record too far ahead when it was sent stays so — while a forged timestamp cannot widen the bound.
   */
  decode(value: Buffer | null | undefined, full = false, timestamp?: number): Decoded {
    if (!value) return { ok: false, reason: "empty message value" };
    if (value.length < WIRE_HEADER_BYTES) {
      return { ok: false, reason: `not Confluent wire format: ${value.length} bytes, need at least 5` };
    }
    if (value[0] !== MAGIC_BYTE)
      return { ok: false, reason: `not Confluent wire format: magic byte ${value[0]}` };
    const id = value.readUInt32BE(1);
    const readers = this.readersFor(id);
    if (typeof readers === "string") return { ok: false, reason: readers };
    const body = value.subarray(WIRE_HEADER_BYTES);
    if (!full) {
      let record: Projected;
      try {
        record = readers.projected.fromBuffer(body, readers.resolver) as Projected;
      } catch (err) {
        return { ok: false, reason: `undecodable Avro: ${(err as Error).message}` };
      }
      return this.timeProblem(record.event_time, timestamp) ?? { ok: true, record, user: null };
    }
    readers.user ??= userResolver(id, readers.writer);
    if (typeof readers.user === "string") return { ok: false, reason: readers.user };
    let raw: { event_time?: unknown };
    try {
      raw = USER_READER.fromBuffer(body, readers.user) as { event_time?: unknown };
    } catch (err) {
      return { ok: false, reason: `undecodable Avro: ${(err as Error).message}` };
    }
    // Before the record's own checks, so that the reason is the same whether users are stored or not.
    const problem = this.timeProblem(raw.event_time, timestamp);
    if (problem) return problem;
    const checked = checkUserRecord(raw);
    return checked.ok ? { ok: true, record: checked.user, user: checked.user } : checked;
  }

  private timeProblem(
    eventTime: unknown,
    timestamp: number | undefined,
  ): { ok: false; reason: string } | null {
    const now = this.bound.now();
    const at = timestamp !== undefined && timestamp > 0 && timestamp < now ? timestamp : now;
    const t = typeof eventTime === "number" ? eventTime : Number.NaN;
    const time = checkEventTime(t, at, this.bound.maxFutureSkewMs);
    return time.ok ? null : time;
  }

  private readersFor(id: number): Readers | string {
    const known = this.readers.get(id);
    if (known !== undefined) return known;
    const writer = this.schemas.get(id);
    if (!writer) {
      // Not cached yet means the caller did not load it: treat like the registry's answer, if any.
      return this.schemas.failure(id) ?? `schema id ${id} not loaded`;
    }
    const built = buildReaders(id, writer, this.fields);
    this.readers.set(id, built);
    return built;
  }
}

function userResolver(id: number, writer: avro.Type): avro.Resolver | string {
  try {
    return USER_READER.createResolver(writer);
  } catch (err) {
    return `schema id ${id} cannot be read as a user record: ${(err as Error).message}`;
  }
}

function buildReaders(id: number, writer: avro.Type, fields: readonly string[]): Readers | string {
  const schema = writer.schema() as {
    type?: string;
    name?: string;
    fields?: { name: string; type: unknown }[];
  };
  if (schema.type !== "record" || !schema.fields) return `schema id ${id} is not an Avro record`;
  const wanted = ["event_time", ...fields.filter((f) => f !== "event_time")];
  const picked = [];
  for (const name of wanted) {
    const f = schema.fields.find((x) => x.name === name);
    if (!f) return `schema id ${id} has no field ${name}`;
    picked.push({ name: f.name, type: f.type });
  }
  const projected = avro.Type.forSchema({
    type: "record",
    name: schema.name ?? "Projected",
    fields: picked,
  } as avro.Schema);
  return { writer, projected, resolver: projected.createResolver(writer) };
}
