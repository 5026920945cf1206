import { once } from "node:events";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import { formatFixtureLine } from "./fixture-format.ts";

/** Appends received users to an NDJSON fixture (contract §2), login secrets removed. */
export class FixtureRecorder {
  private readonly out: WriteStream;
  recorded = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.out = createWriteStream(path, { flags: "a" });
  }

  async write(eventTime: number, user: unknown): Promise<void> {
    this.recorded++;
    if (!this.out.write(`${formatFixtureLine(eventTime, user)}\n`)) await once(this.out, "drain");
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, "finish");
  }
}
