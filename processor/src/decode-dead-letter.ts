import { buildDeadLetter, deadLetterHeaders } from "../../common/src/contracts/dead-letter.ts";
import type { Headers } from "./ports.ts";

/**
 * Largest original value a dead letter carries, by default. The letter wraps it in base64 inside JSON (4/3
 * of it, plus the reason), and the producer refuses messages over 1 000 000 bytes: 512 KiB keeps every
 * letter near 700 KB, under the limit with room to spare.
 */
export const DEFAULT_DLQ_MAX_PAYLOAD_BYTES = 512 * 1024;

/** Bound of the reason text, so that a letter's size stays predictable whatever the error said. */
const MAX_REASON_CHARS = 8_192;

export interface UndecodableMessage {
  value: Buffer | null | undefined;
  key: Buffer | string | null | undefined;
  partition: number;
  offset: number;
  /** The `source` header of the message, when it had one. */
  source: string | undefined;
}

export interface DecodeDeadLetter {
  key: string | null;
  value: Buffer;
  headers: Headers;
  truncated: boolean;
}

/**
 * The dead letter of a message the processor cannot use (stage `decode`, docs/internal-contracts.md). A
 * value over `maxPayloadBytes` keeps only its first bytes, so that the letter itself can always be sent;
 * the reason says so, and the headers give the original size. The whole message stays in the source topic.
 */
export function decodeDeadLetter(
  m: UndecodableMessage,
  reason: string,
  maxPayloadBytes = DEFAULT_DLQ_MAX_PAYLOAD_BYTES,
): DecodeDeadLetter {
  const original = m.value ?? Buffer.alloc(0);
  const truncated = original.length > maxPayloadBytes;
  const kept = truncated ? original.subarray(0, maxPayloadBytes) : original;
  const shortReason =
    reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}… (reason cut)` : reason;
  const letter = buildDeadLetter({
    reason: truncated
      ? `${shortReason} [payload truncated to its first ${maxPayloadBytes} of ${original.length} bytes]`
      : shortReason,
    stage: "decode",
    source: m.source ?? "unknown",
    payload: kept.toString("base64"),
    key: m.key === null || m.key === undefined ? null : m.key.toString(),
  });
  return {
    key: letter.key,
    value: letter.value,
    headers: deadLetterHeaders({
      payloadBytes: original.length,
      truncated,
      source: { partition: m.partition, offset: m.offset },
    }),
    truncated,
  };
}
