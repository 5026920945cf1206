import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayFile } from "../../producer/src/replay.ts";
import type { RefEvent } from "./core/reference.ts";
import type { ProcessorHandle } from "./start-processor.ts";
import { readTopic, reference, waitFor, waitForFinal, writeTimedFixture } from "./testing/harness.ts";
import { useFreshBed } from "./testing/test-bed.ts";

// (f) W = 10 s, L = 5 s, one partition. After the event at +31 s the watermark is +26 s, so the windows
// [0, 10 s) and [10 s, 20 s) are final: events at +3 s and +15 s are late — forwarded with their original
// bytes and the late headers, not aggregated — while +22 s still lands in the open window [20 s, 30 s).
describe("processor: late events", () => {
  const dir = mkdtempSync(join(tmpdir(), "proc-late-"));
  const base = Date.parse("2026-03-01T00:00:00Z");
  const offsets = [1_000, 2_000, 9_000, 11_000, 14_000, 31_000, 3_000, 15_000, 22_000, 33_000];
  const lateIndexes = [6, 7];
  const bed = useFreshBed("late", { TOPIC_PARTITIONS: "1", IDLE_TIMEOUT_MS: "1000" });
  let events: RefEvent[];

  beforeAll(async () => {
    const { config } = bed;
    const file = join(dir, "late.ndjson");
    events = await writeTimedFixture(
      file,
      offsets.map((o) => base + o),
    );
    expect((await replayFile(file, config)).sent).toBe(events.length);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("forwards late events to the late topic and leaves them out of the aggregates", async () => {
    const { config, client } = bed;
    const processor = await bed.start();
    const onTime = events.filter((_, i) => !lateIndexes.includes(i));
    const expected = reference(onTime, config);
    expect(await waitForFinal(client, config, expected)).toEqual(expected);
    expect(processor.status().late).toBe(2);

    const late = await readTopic(config, config.TOPIC_LATE, 2);
    expect(late).toHaveLength(2);
    const originals = await readTopic(config, config.TOPIC_USERS, events.length);
    for (const [n, i] of lateIndexes.entries()) {
      const m = late[n]!;
      expect(m.value.equals(originals[i]!.value)).toBe(true);
      expect(m.key).toBe(originals[i]!.key);
      expect(m.headers.source_partition).toBe("0");
      expect(m.headers.source_offset).toBe(String(i));
      expect(m.headers.watermark).toBe(String(base + 31_000 - 5_000));
      expect(m.headers.late_reason).toMatch(/watermark/);
      expect(m.headers.source).toBe("fixture");
    }
    expect(late[0]!.headers.window_end).toBe(String(base + 10_000));
    expect(late[1]!.headers.window_end).toBe(String(base + 20_000));
  });
});

// Hopping windows W = 10 s, S = 5 s, L = 5 s: after +31 s the watermark is +26 s, so the event at +22 s
// misses its window [15 s, 25 s), already final, and still counts in [20 s, 30 s): aggregated, partly late.
describe("processor: partly late events (hopping windows)", () => {
  const dir = mkdtempSync(join(tmpdir(), "proc-partly-"));
  const base = Date.parse("2026-03-02T00:00:00Z");
  const bed = useFreshBed("partly", {
    TOPIC_PARTITIONS: "1",
    IDLE_TIMEOUT_MS: "1000",
    WINDOW_SLIDE_MS: "5000",
  });

  beforeAll(async () => {
    const { config } = bed;
    const file = join(dir, "partly.ndjson");
    await writeTimedFixture(
      file,
      [1_000, 31_000, 22_000].map((o) => base + o),
    );
    expect((await replayFile(file, config)).sent).toBe(3);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("counts it in /status and /metrics, per instance and per partition", async () => {
    const p = await bed.start();
    await waitFor(
      "3 events processed",
      async () => p.status().processed,
      (n) => n === 3,
      60_000,
      100,
    );
    const status = (await (await fetch(`http://127.0.0.1:${p.port}/status`)).json()) as ReturnType<
      ProcessorHandle["status"]
    >;
    expect(status.partlyLate).toBe(1);
    expect(status.late).toBe(0);
    expect(status.refused).toBe(0);
    expect(status.partitions[0]?.partlyLate).toBe(1);
    expect(status.partitions[0]?.refused).toBe(0);
    const metrics = await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
    expect(metrics).toMatch(/^processor_partly_late_events_total 1$/m);
    expect(metrics).toMatch(/^processor_refused_events_total 0$/m);
  });
});
