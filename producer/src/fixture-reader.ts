import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { type FixtureLine, parseFixtureLine } from "./fixture-format.ts";

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
 * a record), CRLF line ends and a leading byte-order mark are accepted. `onProgress` follows the bytes read so
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

  const decode = (buf: Buffer): string => {
    const end = buf.length > 0 && buf[buf.length - 1] === CR ? buf.length - 1 : buf.length;
    const text = buf.toString("utf8", 0, end);
    // Editors on some systems start a UTF-8 file with a byte-order mark, which JSON.parse refuses.
    return line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
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
      const text = decode(pieces.length ? Buffer.concat([...pieces, tail]) : tail);
      result = text.trim() === "" ? null : parseFixtureLine(text, line);
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
