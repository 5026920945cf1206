// Confluent wire format (contract §3): magic byte 0, 4-byte big-endian schema id, then the Avro binary.
export const MAGIC_BYTE = 0;
export const WIRE_HEADER_BYTES = 5;

export function encodeWire(schemaId: number, avro: Buffer): Buffer {
  const out = Buffer.allocUnsafe(WIRE_HEADER_BYTES + avro.length);
  out.writeUInt8(MAGIC_BYTE, 0);
  out.writeUInt32BE(schemaId, 1);
  avro.copy(out, WIRE_HEADER_BYTES);
  return out;
}

export interface WireMessage {
  schemaId: number;
  payload: Buffer;
}

export function decodeWire(message: Buffer): WireMessage {
  if (message.length < WIRE_HEADER_BYTES) {
    throw new Error(`not Confluent wire format: ${message.length} bytes, need at least ${WIRE_HEADER_BYTES}`);
  }
  const magic = message.readUInt8(0);
  if (magic !== MAGIC_BYTE) throw new Error(`not Confluent wire format: magic byte ${magic}, expected 0`);
  return { schemaId: message.readUInt32BE(1), payload: message.subarray(WIRE_HEADER_BYTES) };
}

/** The part of an avsc Type that encodeAvroWire needs. */
export interface AvroEncoder {
  encode(value: unknown, buffer: Buffer, offset: number): number;
}

let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * Avro-encodes `value` straight behind the wire header in a reused scratch buffer, then copies out exactly
 * the message: one allocation per message instead of two (Type.toBuffer, then encodeWire).
 */
export function encodeAvroWire(type: AvroEncoder, schemaId: number, value: unknown): Buffer {
  let end = type.encode(value, scratch, WIRE_HEADER_BYTES);
  while (end < 0) {
    // avsc returns minus the bytes it missed when the buffer is too small.
    scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end));
    end = type.encode(value, scratch, WIRE_HEADER_BYTES);
  }
  scratch.writeUInt8(MAGIC_BYTE, 0);
  scratch.writeUInt32BE(schemaId, 1);
  return Buffer.from(scratch.subarray(0, end));
}
