import avro from "avsc";
import { describe, expect, it } from "vitest";
import { encodeWire } from "../../common/src/wire-format.ts";
import { MessageDecoder } from "./message-decoder.ts";
import { MemorySchemaRegistry } from "./testing/in-memory-ports.ts";

const schema = { type: "record", name: "U", fields: [{ name: "event_id", type: "string" }] };
const msg = (value: Uint8Array | null) => ({
  topic: "t",
  partition: 0,
  offset: 0,
  timestamp: 1,
  key: null,
  headers: {},
  value,
});

describe("MessageDecoder", () => {
  it("decodes the wire format through the registry, JSON as JSON, anything else as text or base64", async () => {
    const registry = new MemorySchemaRegistry();
    const { id } = registry.register("t-value", JSON.stringify(schema));
    const d = new MessageDecoder(registry);
    const wire = encodeWire(id, avro.Type.forSchema(schema as avro.Schema).toBuffer({ event_id: "e1" }));
    expect(await d.decode(msg(wire))).toMatchObject({ format: "avro", schemaId: id, problem: null });
    expect((await d.decode(msg(wire))).value).toContain('"event_id": "e1"');
    expect(await d.decode(msg(new TextEncoder().encode('{"a":1}')))).toMatchObject({ format: "json" });
    expect(await d.decode(msg(new TextEncoder().encode("late")))).toMatchObject({
      format: "text",
      value: "late",
    });
    expect(await d.decode(msg(new Uint8Array([0xff, 0xfe])))).toMatchObject({
      format: "binary",
      value: "//4=",
    });
    expect(await d.decode(msg(null))).toMatchObject({ format: "empty" });
  });

  it("says why a wire-format message does not decode (unknown id, truncated record)", async () => {
    const registry = new MemorySchemaRegistry();
    const { id } = registry.register("t-value", JSON.stringify(schema));
    const d = new MessageDecoder(registry);
    expect((await d.decode(msg(encodeWire(99, Buffer.from([2, 65]))))).problem).toMatch(
      /schema id 99 is not/,
    );
    expect((await d.decode(msg(encodeWire(id, Buffer.from([40, 65]))))).problem).toMatch(
      /not an Avro record/,
    );
  });
});
