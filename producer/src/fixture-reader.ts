import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { type FixtureLine, parseFixtureLine } from "./fixture-format.ts";

export interface FixtureReadProgress {
  bytesRead: number;
  totalBytes: number;
}

/**
 * The lines of an NDJSON fixture, numbered from 1, parsed; blank lines are skipped (a trailing newline is not
 * a record), CRLF line ends and a leading byte-order mark are accepted. `onProgress` follows the bytes read so a progress bar needs no counting pass over a large file.
 */
export async function* readFixture(
  path: string,
  onProgress?: (p: FixtureReadProgress) => void,
): AsyncGenerator<FixtureLine> {
  const totalBytes = (await stat(path)).size;
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const raw of lines) {
      line++;
      // Editors on some systems start a UTF-8 file with a byte-order mark, which JSON.parse refuses.
      const text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      if (text.trim() === "") continue;
      onProgress?.({ bytesRead: stream.bytesRead, totalBytes });
      yield parseFixtureLine(text, line);
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}
