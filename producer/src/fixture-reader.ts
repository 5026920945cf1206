import { isUtf8 } from "node:buffer";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { type FixtureLine, parseFixtureLine } from "./fixture-format.ts";
import { firstInvalidUtf8Byte } from "./utf8.ts";

export interface FixtureReadProgress {
  bytesRead: number;
  totalBytes: number;
}

export interface FixtureReadOptions {
  /** A longer line is a parse error, not read into memory (FIXTURE_MAX_LINE_BYTES). Default 1 MiB. */
  maxLineBytes?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 1 << 20;
/** How much of an over-long line its parse error keeps, for the dead letter. */
const OVER_LONG_PREFIX_BYTES = 4096;

const LF = 0x0a;
const CR = 0x0d;

/**
 * The lines of an NDJSON fixture, numbered from 1, parsed; blank lines are skipped (a trailing newline is not
 * a record), CRLF line ends and a byte-order mark starting a line are accepted, a line that is not UTF-8 is
 * a parse error (its payload decoded with U+FFFD for the bad bytes). `onProgress` follows the bytes read so
 * a progress bar needs no counting pass over a large file. A line longer than `maxLineBytes` (a file without
 * newlines, a corrupt or binary file) is a parse error with its line number, and memory stays bounded.
 *
 * Lines are split on the raw bytes (a newline byte never occurs inside a multi-byte UTF-8 sequence) and each
 * decoded once: node:readline costs several times more per line, a large share of a full-speed replay. A line
 * split across read chunks is joined once, when its end arrives, so long lines cost no repeated copying.
 */
export async function* readFixture(
  path: string,
  onProgress?: (p: FixtureReadProgress) => void,
  { maxLineBytes = DEFAULT_MAX_LINE_BYTES }: FixtureReadOptions = {},
): AsyncGenerator<FixtureLine> {
  const totalBytes = (await stat(path)).size;
  let line = 0;
  let consumed = 0;
  // The start of the current line, from earlier chunks: kept pieces, or only a prefix once it is too long.
  let pieces: Buffer[] = [];
  let pending = 0;
  let overLongPrefix: Buffer | null = null;

  /** The line without its CR and byte-order mark; the reason instead when it is not UTF-8 (RFC 8259 §8.1). */
  const decode = (buf: Buffer): { text: string; notUtf8?: string } => {
    const end = buf.length > 0 && buf[buf.length - 1] === CR ? buf.length - 1 : buf.length;
    const raw = buf.subarray(0, end);
    // Editors on some systems start a UTF-8 file with a byte-order mark, which JSON.parse refuses; files
    // joined with cat keep theirs at the start of later lines.
    const bom = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0;
    const text = raw.toString("utf8", bom);
    if (isUtf8(raw)) return { text };
    const at = firstInvalidUtf8Byte(raw);
    return { text, notUtf8: `line ${line}: not UTF-8 (invalid byte at byte offset ${at})` };
  };
  const overLong = (prefix: Buffer, bytes: number): FixtureLine => ({
    ok: false,
    line,
    text: prefix.toString("utf8"),
    reason:
      `line ${line}: longer than ${maxLineBytes} bytes (${bytes} bytes; FIXTURE_MAX_LINE_BYTES), not read; ` +
      `the payload holds its first ${prefix.length} bytes`,
  });
  /** Ends the current line with `tail` (its bytes in the current chunk); what to yield, if anything. */
  const finishLine = (tail: Buffer): FixtureLine | null => {
    line++;
    const bytes = pending + tail.length;
    let result: FixtureLine | null;
    if (overLongPrefix !== null) {
      result = overLong(overLongPrefix, bytes);
    } else if (bytes > maxLineBytes) {
      result = overLong(Buffer.concat([...pieces, tail]).subarray(0, OVER_LONG_PREFIX_BYTES), bytes);
    } else {
      const { text, notUtf8 } = decode(pieces.length ? Buffer.concat([...pieces, tail]) : tail);
      if (notUtf8 !== undefined) result = { ok: false, line, text, reason: notUtf8 };
      else result = text.trim() === "" ? null : parseFixtureLine(text, line);
    }
    pieces = [];
    pending = 0;
    overLongPrefix = null;
    return result;
  };

  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    let start = 0;
    for (let end = buf.indexOf(LF, start); end >= 0; end = buf.indexOf(LF, start)) {
      consumed += pending + end + 1 - start;
      const result = finishLine(buf.subarray(start, end));
      start = end + 1;
      if (result === null) continue;
      onProgress?.({ bytesRead: consumed, totalBytes });
      yield result;
    }
    if (start < buf.length) {
      const rest = buf.subarray(start);
      pending += rest.length;
      if (overLongPrefix === null && pending > maxLineBytes) {
        overLongPrefix = Buffer.from(Buffer.concat([...pieces, rest]).subarray(0, OVER_LONG_PREFIX_BYTES));
        pieces = [];
      } else if (overLongPrefix === null) {
        pieces.push(rest);
      }
    }
  }
  if (pending > 0) {
    consumed += pending;
    const result = finishLine(Buffer.alloc(0));
    if (result !== null) {
      onProgress?.({ bytesRead: consumed, totalBytes });
      yield result;
    }
  }
}
