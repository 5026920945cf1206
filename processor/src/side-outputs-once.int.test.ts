import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProcessorStatus } from "../../common/src/contracts/processor-status.ts";
import { replayFile } from "../../producer/src/replay.ts";
import type { RefEvent } from "./core/reference.ts";
import {
  readTopic,
  reference,
  spawnProcessor,
  testProducer,
  topicSize,
  waitFor,
  waitForFinal,
  writeTimedFixture,
} from "./testing/harness.ts";
import { useTestBed } from "./testing/test-bed.ts";

async function get(port: number, path: string): Promise<string | null> {
  try {
    return await (await fetch(`http://127.0.0.1:${port}${path}`)).text();
  } catch {
    return null;
  }
}

// Contract §4: a late event is forwarded exactly once, like everything else; so is a dead letter. A processor
// whose checkpoints are 10 min apart delivers two late events and two dead letters (acknowledged by Kafka)
// and is killed with SIGKILL before any checkpoint covers them; the next run replays them from the start of
// the partition. The late and dead-letter topics still hold each exactly once, and the aggregates are exact.
describe("processor: late events and dead letters across kill -9 before their checkpoint", () => {
  const dir = mkdtempSync(join(tmpdir(), "proc-side-once-"));
  const base = Date.parse("2026-03-02T00:00:00Z");
  // W = 10 s, L = 5 s: after +31 s the watermark is +26 s, so +3 s and +15 s are late.
  const offsets = [1_000, 2_000, 9_000, 11_000, 14_000, 31_000, 3_000, 15_000, 22_000, 33_000];
  const lateIndexes = [6, 7];
  const bed = useTestBed("sideonce", { TOPIC_PARTITIONS: "1", IDLE_TIMEOUT_MS: "1000" });
  let events: RefEvent[];
  let file: string;

  beforeAll(async () => {
    file = join(dir, "late.ndjson");
    events = await writeTimedFixture(
      file,
      offsets.map((o) => base + o),
    );
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("holds each late event and dead letter once, and the aggregates exact", async () => {
    const { config, client, children } = bed;
    const first = spawnProcessor(config, { PROCESSOR_CHECKPOINT_INTERVAL_MS: "600000" });
    children.push(first);
    const port = await first.started;
    // Its first timed checkpoint is taken at once, before any record: the next one is 10 min away.
    await waitFor(
      "partition 0 assigned",
      async () => JSON.parse((await get(port, "/status")) ?? "null") as ProcessorStatus | null,
      (s) => s !== null && s.partitions.length === 1,
      60_000,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await replayFile(file, config)).sent).toBe(events.length);
    const producer = await testProducer(config);
    await producer.send({
      topic: config.TOPIC_USERS,
      messages: [
        { key: "bad-short", value: Buffer.from([0, 0]), headers: { source: "synthetic" } },
        { key: "bad-magic", value: Buffer.from([1, 0, 0, 0, 1, 2]), headers: { source: "synthetic" } },
      ],
    });
    await producer.disconnect();
    await waitFor(
      "2 late events and 2 dead letters acknowledged",
      async () => [await topicSize(config, config.TOPIC_LATE), await topicSize(config, config.TOPIC_DLQ)],
      ([late, dlq]) => late === 2 && dlq === 2,
      60_000,
      100,
    );
    first.child.kill("SIGKILL");
    await first.exited;
    const cp = await client.execute(
      `SELECT next_offset FROM ${config.CASSANDRA_KEYSPACE}.processor_checkpoints WHERE topic = ? AND kafka_partition = 0`,
      [config.TOPIC_USERS],
      { prepare: true },
    );
    // No checkpoint covers them: the next run processes them again.
    expect(Number(cp.rows[0]?.get("next_offset") ?? 0)).toBeLessThanOrEqual(lateIndexes[0]!);

    const second = spawnProcessor(config);
    children.push(second);
    const port2 = await second.started;
    const expected = reference(
      events.filter((_, i) => !lateIndexes.includes(i)),
      config,
    );
    expect(await waitForFinal(client, config, expected)).toEqual(expected);
    const metrics = await waitFor(
      "the replay reached the side outputs",
      async () => (await get(port2, "/metrics")) ?? "",
      (m) => m.includes('processor_side_outputs_not_resent_total{topic="dlq"} 2'),
      30_000,
    );
    expect(metrics).toContain('processor_side_outputs_not_resent_total{topic="late"} 2');
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);

    expect(await topicSize(config, config.TOPIC_LATE)).toBe(2);
    expect(await topicSize(config, config.TOPIC_DLQ)).toBe(2);
    const late = await readTopic(config, config.TOPIC_LATE, 2);
    expect(late.map((m) => m.headers.source_offset).sort()).toEqual(lateIndexes.map(String));
    const letters = await readTopic(config, config.TOPIC_DLQ, 2);
    expect(letters.map((m) => m.key).sort()).toEqual(["bad-magic", "bad-short"]);
  });
});
