import avro from "avsc";
import type { SchemaRegistry, TopicMessage } from "./ports.ts";

// A topic's message for reading: Confluent wire format decoded through the registry (magic byte 0, schema
// id, Avro), else JSON, else text, else the bytes in base64.

export interface DecodedMessage {
  format: "avro" | "json" | "text" | "binary" | "empty";
  schemaId: number | null;
  /** Pretty JSON (avro, json), the text, or base64. */
  value: string;
  /** Why the bytes could not be read as their format claims (an unknown schema id, a truncated record). */
  problem: string | null;
  bytes: number;
}

const MAX_SHOWN_CHARS = 64 * 1024;
const text = new TextDecoder("utf-8", { fatal: true });

function clip(s: string): string {
  return s.length > MAX_SHOWN_CHARS
    ? `${s.slice(0, MAX_SHOWN_CHARS)}… (${s.length - MAX_SHOWN_CHARS} more characters)`
    : s;
}

const toBase64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");

/** Avro longs that do not fit a double stay exact as strings in the JSON shown. */
const stringify = (v: unknown) =>
  JSON.stringify(
    v,
    (_k, x: unknown) =>
      typeof x === "bigint" ? x.toString() : Buffer.isBuffer(x) ? x.toString("base64") : x,
    2,
  );

export class MessageDecoder {
  private readonly types = new Map<number, avro.Type | Error>();

  constructor(private readonly registry: SchemaRegistry) {}

  async decode(m: TopicMessage): Promise<DecodedMessage> {
    const v = m.value;
    if (v === null || v.length === 0)
      return { format: "empty", schemaId: null, value: "", problem: null, bytes: 0 };
    if (v[0] === 0 && v.length >= 5) {
      const id = new DataView(v.buffer, v.byteOffset, v.byteLength).getUint32(1);
      const type = await this.type(id);
      if (type instanceof Error) {
        return { format: "binary", schemaId: id, value: toBase64(v), problem: type.message, bytes: v.length };
      }
      try {
        const decoded = type.fromBuffer(Buffer.from(v.buffer, v.byteOffset + 5, v.byteLength - 5));
        return {
          format: "avro",
          schemaId: id,
          value: clip(stringify(decoded)),
          problem: null,
          bytes: v.length,
        };
      } catch (err) {
        return {
          format: "binary",
          schemaId: id,
          value: toBase64(v),
          problem: `not an Avro record of schema ${id}: ${(err as Error).message}`,
          bytes: v.length,
        };
      }
    }
    let s: string;
    try {
      s = text.decode(v);
    } catch {
      return { format: "binary", schemaId: null, value: clip(toBase64(v)), problem: null, bytes: v.length };
    }
    try {
      return {
        format: "json",
        schemaId: null,
        value: clip(JSON.stringify(JSON.parse(s), null, 2)),
        problem: null,
        bytes: v.length,
      };
    } catch {
      return { format: "text", schemaId: null, value: clip(s), problem: null, bytes: v.length };
    }
  }

  private async type(id: number): Promise<avro.Type | Error> {
    const known = this.types.get(id);
    if (known) return known;
    let result: avro.Type | Error;
    try {
      const schema = await this.registry.schemaById(id);
      result =
        schema === null
          ? new Error(`schema id ${id} is not in the registry`)
          : avro.Type.forSchema(JSON.parse(schema));
    } catch (err) {
      // A registry that did not answer is not remembered: the next read asks again.
      return err instanceof Error ? err : new Error(String(err));
    }
    this.types.set(id, result);
    return result;
  }
}
