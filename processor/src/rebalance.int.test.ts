import { describe, expect, it } from "vitest";
import { replayFile } from "../../producer/src/replay.ts";
import type { ProcessorHandle } from "./start-processor.ts";
import { finalRows, hoursOf, readMerged, waitFor } from "./testing/harness.ts";
import { useExactRun } from "./testing/test-bed.ts";

const progress = (h: ProcessorHandle) => h.status().partitions.reduce((a, p) => a + p.nextOffset, 0);

// (d) Scale-out: a second instance joins the group mid-replay and takes half of the partitions, then the
// first one stops gracefully and hands its partitions over. Both rebalances keep the result exact.
describe("processor: rebalance between two instances", () => {
  const run = useExactRun("rebalance", {
    partitions: 6,
    count: 120_000,
    seed: 23,
    startMs: Date.parse("2026-05-01T00:00:00Z"),
  });

  it("splits the partitions and stays exact across join and leave", async () => {
    const { config, client, file, events, expected } = run;
    const replay = replayFile(file, config);
    const a = await run.start({ options: { PROCESSOR_INSTANCE: "a" } });
    await waitFor(
      "a's progress",
      async () => progress(a),
      (n) => n >= events.length * 0.2,
      120_000,
      50,
    );
    const b = await run.start({ options: { PROCESSOR_INSTANCE: "b" } });
    const split = await waitFor(
      "both instances assigned",
      async () => [a.status().assigned, b.status().assigned],
      ([x, y]) => x!.length > 0 && y!.length > 0 && x!.length + y!.length === 6,
      120_000,
      100,
    );
    expect(new Set([...split[0]!, ...split[1]!]).size).toBe(6);
    await waitFor(
      "progress after the split",
      async () => progress(a) + progress(b),
      (n) => n >= events.length * 0.6,
      120_000,
      50,
    );
    expect(progress(a) + progress(b)).toBeLessThan(events.length);
    await a.stop();
    expect((await replay).sent).toBe(events.length);
    const rows = await waitFor(
      "all windows final",
      () => readMerged(client, config, hoursOf(expected)),
      (rows) => finalRows(rows) !== null && rows.length >= expected.length,
      240_000,
    );
    expect(finalRows(rows)).toEqual(expected);
    expect(b.status().assigned).toHaveLength(6);
    expect(b.status().late).toBe(0);
  });
});
