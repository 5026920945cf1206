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
});
