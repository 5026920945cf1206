import { z } from "zod";
import { redactSecrets } from "../redact-secrets.ts";

// The dead-letter message of docs/internal-contracts.md, built and read in one place so the producer and
// the processor cannot drift apart.
export const DeadLetterStageSchema = z.enum(["map", "schema", "parse", "decode"]);
export type DeadLetterStage = z.infer<typeof DeadLetterStageSchema>;

export const DeadLetterSchema = z.object({
  reason: z.string(),
  stage: DeadLetterStageSchema,
  source: z.string(),
  line: z.number().int().positive().optional(),
  payload: z.string(),
  at: z.number().int(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

export interface DeadLetterMessage {
  key: string | null;
  value: Buffer;
}

/**
 * Largest payload a dead letter carries, as the processor's: the producer refuses messages over 1 000 000
 * bytes, and a letter at this bound stays well under it, whatever it wraps.
 */
export const DEAD_LETTER_MAX_PAYLOAD_BYTES = 512 * 1024;

export interface DeadLetterInput {
  reason: string;
  stage: DeadLetterStage;
  source: string;
  payload: string;
  line?: number;
  key?: string | null;
  at?: number;
  /**
   * Most bytes the payload may take inside the letter, as written there (JSON-escaped, UTF-8); a longer one
   * keeps its first part, and the reason says so. Unbounded when absent.
   */
  maxPayloadBytes?: number;
}

export interface BuiltDeadLetter extends DeadLetterMessage {
  /** UTF-8 bytes of the payload as given (before redaction). */
  payloadBytes: number;
  truncated: boolean;
}

/** The letter, its payload without login secrets (redacted before it is cut, so no cut can hide one). */
export function buildDeadLetter(input: DeadLetterInput): BuiltDeadLetter {
  const redacted = redactSecrets(input.payload);
  const payloadBytes = Buffer.byteLength(input.payload);
  const keep =
    input.maxPayloadBytes === undefined
      ? redacted.length
      : escapedPrefixLength(redacted, input.maxPayloadBytes);
  const truncated = keep < redacted.length;
  const payload = truncated ? redacted.slice(0, keep) : redacted;
  const letter: DeadLetter = {
    reason: truncated
      ? `${input.reason} [payload truncated to its first ${Buffer.byteLength(payload)} of ${payloadBytes} bytes]`
      : input.reason,
    stage: input.stage,
    source: input.source,
    ...(input.line === undefined ? {} : { line: input.line }),
    payload,
    at: input.at ?? Date.now(),
  };
  return { key: input.key ?? null, value: Buffer.from(JSON.stringify(letter)), payloadBytes, truncated };
}

/**
 * How many UTF-16 units of `text` fit in `maxBytes` once JSON.stringify has escaped them and UTF-8 encoded
 * them (a quote takes 2 bytes, a control character up to 6, a lone surrogate 6); never splits a pair.
 */
export function escapedPrefixLength(text: string, maxBytes: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let width: number;
    let units = 1;
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d)
      width = 2;
    else if (c < 0x20) width = 6;
    else if (c < 0x80) width = 1;
    else if (c < 0x800) width = 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      width = 4;
      units = 2;
    } else if (c >= 0xd800 && c <= 0xdfff) width = 6;
    else width = 3;
    if (bytes + width > maxBytes) break;
    bytes += width;
    i += units;
  }
  return i;
}

const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

export function parseDeadLetter(value: Buffer | string): DeadLetter {
  return DeadLetterSchema.parse(JSON.parse(typeof value === "string" ? value : value.toString("utf8")));
}

/** The Kafka headers of a dead letter: what it wraps, and where a processor's letter is whole. */
export interface DeadLetterHeaders {
  /** UTF-8 bytes of the original payload. */
  payloadBytes: number;
  /** The letter kept only the first bytes of it. */
  truncated: boolean;
  /** Where the record is, whole, in the users topic (letters of stage `decode`). */
  source?: { partition: number; offset: number };
}

export function deadLetterHeaders(h: DeadLetterHeaders): Record<string, string> {
  return {
    ...(h.source === undefined
      ? {}
      : { source_partition: String(h.source.partition), source_offset: String(h.source.offset) }),
    payload_bytes: String(h.payloadBytes),
    payload_truncated: String(h.truncated),
  };
}

/** The headers of a letter as read back; what an older letter lacks is absent. */
export function readDeadLetterHeaders(h: Readonly<Record<string, string | undefined>>): {
  truncated: boolean;
  source: { partition: string; offset: string } | null;
} {
  return {
    truncated: h.payload_truncated === "true",
    source:
      h.source_partition !== undefined && h.source_offset !== undefined
        ? { partition: h.source_partition, offset: h.source_offset }
        : null,
  };
}
