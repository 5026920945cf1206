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
 * a record). `onProgress` follows the bytes read so a progress bar needs no counting pass over a large file.
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
    for await (const text of lines) {
      line++;
      if (text.trim() === "") continue;
      onProgress?.({ bytesRead: stream.bytesRead, totalBytes });
      yield parseFixtureLine(text, line);
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}
