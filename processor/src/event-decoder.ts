import avro from "avsc";
import { MAGIC_BYTE, WIRE_HEADER_BYTES } from "../../common/src/wire-format.ts";
import type { SchemaCache } from "./schema-cache.ts";

/** The fields the windowing needs, read without decoding the rest of the record. */
export type Projected = Record<string, string | number | null>;

export type Decoded = { ok: true; record: Projected } | { ok: false; reason: string };

interface Readers {
  writer: avro.Type;
  /** Reads only the projected fields (avsc skips the others without materializing them). */
  projected: avro.Type;
  resolver: avro.Resolver;
}

/**
 * Decodes Confluent wire-format values (magic byte, schema id, Avro) with the writer schema from the
 * registry. The projection holds event_time and the given fields; a writer without one of them cannot be
 * aggregated and its messages are reported as undecodable.
 */
export class EventDecoder {
  private readonly readers = new Map<number, Readers | string>();

  constructor(
    private readonly schemas: SchemaCache,
    private readonly fields: readonly string[],
  ) {}

  /** Schema id of a wire-format value, or null when the header is not wire format. */
  static schemaId(value: Buffer | null | undefined): number | null {
    if (!value || value.length < WIRE_HEADER_BYTES || value[0] !== MAGIC_BYTE) return null;
    return value.readUInt32BE(1);
  }

  /**
   * The projected fields, or with `full` the whole record (when it is stored anyway, one decode is cheaper
   * than two). Never throws: an undecodable value comes back with the reason.
   */
  decode(value: Buffer | null | undefined, full = false): Decoded {
    if (!value) return { ok: false, reason: "empty message value" };
    if (value.length < WIRE_HEADER_BYTES) {
      return { ok: false, reason: `not Confluent wire format: ${value.length} bytes, need at least 5` };
    }
    if (value[0] !== MAGIC_BYTE)
      return { ok: false, reason: `not Confluent wire format: magic byte ${value[0]}` };
    const readers = this.readersFor(value.readUInt32BE(1));
    if (typeof readers === "string") return { ok: false, reason: readers };
    try {
      const body = value.subarray(WIRE_HEADER_BYTES);
      const record = full
        ? (readers.writer.fromBuffer(body) as Projected)
        : (readers.projected.fromBuffer(body, readers.resolver) as Projected);
      return { ok: true, record };
    } catch (err) {
      return { ok: false, reason: `undecodable Avro: ${(err as Error).message}` };
    }
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
