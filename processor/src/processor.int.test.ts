import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AggregateMessage } from "../../common/src/contracts/aggregate-message.ts";
import type { ProcessorStatus } from "../../common/src/contracts/processor-status.ts";
import { replayFile } from "../../producer/src/replay.ts";
import type { RefEvent, RefRow } from "./core/reference.ts";
import { loadProcessorOptions } from "./processor-options.ts";
import {
  finalRows,
  hoursOf,
  mergeLiveRows,
  readMerged,
  readTopic,
  reference,
  topicSize,
  waitFor,
  waitForUsers,
  writeFixture,
} from "./testing/harness.ts";
import { useFreshBed } from "./testing/test-bed.ts";

// (a) A fixture whose disorder is below the allowed lateness, replayed once, ends in Cassandra exactly as
// the core's reference batch aggregation, every window final; every user stored.
describe("processor: replay → Cassandra", () => {
  const dir = mkdtempSync(join(tmpdir(), "proc-exact-"));
  const bed = useFreshBed("exact", { TOPIC_PARTITIONS: "3", IDLE_TIMEOUT_MS: "1000" });
  let events: RefEvent[];
  let expected: RefRow[];

  beforeAll(async () => {
    const { config } = bed;
    const file = join(dir, "fixture.ndjson");
    events = await writeFixture(file, {
      count: 20_000,
      seed: 7,
      startMs: Date.parse("2026-01-01T00:00:00Z"),
      spacingMs: 5,
      disorderMs: 3_000,
      lateEvery: 0,
      lateMs: 0,
    });
    expected = reference(events, config);
    const stats = await replayFile(file, config);
    expect(stats.sent).toBe(events.length);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("ends with the reference aggregates, all final, and every user stored", async () => {
    const { config, client } = bed;
    const processor = await bed.start();
    const hours = hoursOf(expected);
    const rows = await waitFor(
      "all windows final",
      () => readMerged(client, config, hours),
      (rows) => finalRows(rows) !== null && rows.length >= expected.length,
      180_000,
    );
    expect(finalRows(rows)).toEqual(expected);
    expect(await waitForUsers(client, config, events.length)).toBe(events.length);
    const status = processor.status();
    expect(status.processed).toBe(events.length);
    expect(status.late).toBe(0);
    expect(status.deadLettered).toBe(0);

    // The live view: the latest message per key of the aggregates topic gives the same final windows.
    const live = await readTopic(
      config,
      config.TOPIC_AGGREGATES,
      await topicSize(config, config.TOPIC_AGGREGATES),
    );
    const first = JSON.parse(live[0]!.value.toString()) as AggregateMessage;
    expect(live[0]!.key).toBe(`${first.group}|${first.key}|${first.windowStart}|${first.partition}`);
    expect(typeof first.emittedAt).toBe("number");
    expect(finalRows(mergeLiveRows(live))).toEqual(expected);

    const served = (await (
      await fetch(`http://127.0.0.1:${processor.port}/status`)
    ).json()) as ProcessorStatus;
    expect(served.assigned).toEqual([0, 1, 2]);
    // Batch sizes, as the Prometheus histogram has them, for the dashboard.
    const limit = loadProcessorOptions().PROCESSOR_BATCH_SIZE;
    expect(served.batchSize.limit).toBe(limit);
    expect(served.batchSize.last).toBeGreaterThan(0);
    expect(served.batchSize.max).toBeLessThanOrEqual(limit);
    expect(served.batchSize.p50).toBeLessThanOrEqual(served.batchSize.max!);
    expect(served.partlyLate).toBe(0);
    expect(served.refused).toBe(0);
    expect(served.failure).toBeNull();
    expect(served.partitions.reduce((a, p) => a + p.nextOffset, 0)).toBe(events.length);
    await processor.stop();
  });
});
