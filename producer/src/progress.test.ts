import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import type { IngestStats } from "./ingestor.ts";
import { startProgress, summaryLine } from "./progress.ts";

const stats: IngestStats = {
  received: 1010,
  sent: 1000,
  rejected: 7,
  failed: 3,
  elapsedMs: 2_500,
  eventsPerSec: 402.8,
};

describe("progress", () => {
  it("ends with sent, rejected, failed, elapsed and events/s", () => {
    expect(summaryLine("replay", stats)).toBe(
      "replay: sent 1000, rejected 7, failed 3, elapsed 2.50 s, 403 events/s",
    );
  });

  it("writes plain periodic lines when the stream is not a terminal", async () => {
    const written: string[] = [];
    const stream = {
      isTTY: false,
      write: (s: string) => written.push(s) > 0,
    } as unknown as NodeJS.WriteStream;
    const view = startProgress({
      label: "synthetic",
      total: null,
      position: () => 0,
      stats: () => stats,
      stream,
      intervalMs: 10,
    });
    await new Promise((r) => setTimeout(r, 60));
    view.stop(stats);
    const count = written.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(count).toBeGreaterThan(0);
    expect(written.length).toBe(count);
    expect(written[0]).toBe(`${summaryLine("synthetic", stats)}\n`);
  });

  const terminal = (written: string[]) =>
    ({
      isTTY: true,
      columns: 200,
      write: (t: string) => written.push(t) > 0,
    }) as unknown as NodeJS.WriteStream;
  /** The frames a terminal would show: each redraw starts at column 1; cursor control is not text. */
  const frames = (written: string[]) =>
    written
      .join("")
      .split("\x1b[1G")
      .map((f) => stripVTControlCharacters(f))
      .filter((f) => f.trim() !== "");

  it("shows a count and the rate, no percentage, on a terminal when the run is open-ended", async () => {
    const written: string[] = [];
    let offered = 0;
    const view = startProgress({
      label: "synthetic",
      total: null,
      position: () => (offered += 250),
      stats: () => stats,
      stream: terminal(written),
      intervalMs: 10,
    });
    await new Promise((r) => setTimeout(r, 60));
    view.stop(stats);
    const shown = frames(written);
    expect(shown.length).toBeGreaterThan(1);
    expect(shown.at(-1)).toMatch(/^synthetic [1-9]\d* offered/);
    for (const line of shown) {
      expect(line).toMatch(/^synthetic \d+ offered \| sent 1000 rejected 7 failed 3 \| 403 ev\/s$/);
      expect(line).not.toContain("%");
    }
  });

  it("shows a bar and a percentage on a terminal when the total is known, full at the end", async () => {
    const written: string[] = [];
    const view = startProgress({
      label: "replay",
      total: 1000,
      position: () => 500,
      stats: () => stats,
      stream: terminal(written),
      intervalMs: 10,
    });
    await new Promise((r) => setTimeout(r, 60));
    view.stop(stats);
    expect(frames(written).at(-1)).toMatch(
      /^replay \[█+\] 100% \| sent 1000 rejected 7 failed 3 \| 403 ev\/s$/,
    );
  });
});
