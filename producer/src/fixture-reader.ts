import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { type FixtureLine, parseFixtureLine } from "./fixture-format.ts";

export interface FixtureReadProgress {
  bytesRead: number;
  totalBytes: number;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The lines of an NDJSON fixture, numbered from 1, parsed; blank lines are skipped (a trailing newline is not
 * a record), CRLF line ends and a leading byte-order mark are accepted. `onProgress` follows the bytes read so
 * a progress bar needs no counting pass over a large file.
 *
 * Lines are split on the raw bytes (a newline byte never occurs inside a multi-byte UTF-8 sequence) and each
 * decoded once: node:readline costs several times more per line, a large share of a full-speed replay.
 */
export async function* readFixture(
  path: string,
  onProgress?: (p: FixtureReadProgress) => void,
): AsyncGenerator<FixtureLine> {
  const totalBytes = (await stat(path)).size;
  let line = 0;
  let consumed = 0;
  let rest: Buffer | null = null;
  const decode = (buf: Buffer, start: number, end: number): string => {
    const stop = end > start && buf[end - 1] === CR ? end - 1 : end;
    const text = buf.toString("utf8", start, stop);
    // Editors on some systems start a UTF-8 file with a byte-order mark, which JSON.parse refuses.
    return line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf: Buffer = rest ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let end = buf.indexOf(LF, start); end >= 0; end = buf.indexOf(LF, start)) {
      line++;
      const text = decode(buf, start, end);
      consumed += end + 1 - start;
      start = end + 1;
      if (text.trim() === "") continue;
      onProgress?.({ bytesRead: consumed, totalBytes });
      yield parseFixtureLine(text, line);
    }
    rest = start < buf.length ? buf.subarray(start) : null;
  }
  if (rest) {
    line++;
    const text = decode(rest, 0, rest.length);
    consumed += rest.length;
    if (text.trim() !== "") {
      onProgress?.({ bytesRead: consumed, totalBytes });
      yield parseFixtureLine(text, line);
    }
  }
}
