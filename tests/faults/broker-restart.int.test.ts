import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../common/src/config.ts";
import { sleep, withTimeout } from "../../common/src/timeouts.ts";
import type { RefRow } from "../../processor/src/core/reference.ts";
import {
  type ChildProcessor,
  cassandraClient,
  reference,
  spawnProcessor,
  topicSize,
  uniqueConfig,
  waitFor,
  waitForFinal,
  waitForUsers,
  writeFixture,
} from "../../processor/src/testing/harness.ts";
import type { IngestStats } from "../../producer/src/ingestor.ts";
import { replayFile } from "../../producer/src/replay.ts";
import { createRegistryClient, valueSubject } from "../../producer/src/schema-registry.ts";
import { type PrivateService, privateKafka } from "./private-services.ts";
import { stopChild } from "./stop-child.ts";

// The broker stopped cleanly, then later killed (kill -9), and started again each time while a paced stream flows through the producer and a
// running processor: a private single-node broker (tests/faults/private-services.ts), the shared registry and
// Cassandra (a keyspace of its own). The producer's retries (idempotent, acks=all) and the processor's
// resumption from its checkpoints must end with every event on the topic once, every user stored, and the
// final aggregates equal to the reference.
describe("the Kafka broker stopped, then killed, and restarted mid-stream", () => {
  const dir = mkdtempSync(join(tmpdir(), "broker-restart-"));
  const COUNT = 4_000;
  const start = Date.parse("2026-05-01T00:00:00Z");
  let kafka: PrivateService | null = null;
  let config: Config;
  let client: Client | null = null;
  let file: string;
  let expected: RefRow[];
  let processor: ChildProcessor | null = null;

  beforeAll(async () => {
    kafka = privateKafka();
    await kafka.start();
    config = uniqueConfig("brk", { KAFKA_BOOTSTRAP: kafka.endpoint, TOPIC_PARTITIONS: "2" });
    client = cassandraClient(config);
    await client.connect();
    file = join(dir, "stream.ndjson");
    // 10 ms apart in event time: 40 s at the recorded speed, so the broker is down twice inside the stream.
    const events = await writeFixture(file, {
      count: COUNT,
      seed: 21,
      startMs: start,
      spacingMs: 10,
      disorderMs: 2_000,
      lateEvery: 0,
      lateMs: 0,
    });
    expected = reference(events, config);
    processor = spawnProcessor(config);
    await withTimeout(processor.started, 120_000, "the processor did not start within 120 s");
  }, 300_000);

  afterAll(async () => {
    await stopChild(processor);
    await client?.execute(`DROP KEYSPACE IF EXISTS ${config.CASSANDRA_KEYSPACE}`).catch(() => undefined);
    await client?.shutdown();
    const registry = createRegistryClient(config);
    await registry.deleteSubject(valueSubject(config.TOPIC_USERS), false).catch(() => undefined);
    await registry.deleteSubject(valueSubject(config.TOPIC_USERS), true).catch(() => undefined);
    await kafka?.dispose();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("ends exact: every event once on the topic, every user stored, the final aggregates equal the reference", async () => {
    if (!kafka || !client || !processor) throw new Error("set-up failed");
    const replay: Promise<IngestStats> = replayFile(file, config, { speed: 1 });
    replay.catch(() => undefined);
    const outage = async (share: number, signal: "SIGTERM" | "SIGKILL") => {
      await waitFor(
        `${share * 100}% of the stream acknowledged before the broker's ${signal}`,
        () => topicSize(config, config.TOPIC_USERS).catch(() => 0),
        (n) => n >= COUNT * share,
        90_000,
      );
      await kafka!.stop(signal);
      await sleep(3_000);
      await kafka!.start();
    };
    await outage(0.25, "SIGTERM");
    await outage(0.6, "SIGKILL");

    const stats = await withTimeout(replay, 180_000, "the replay did not end within 180 s of the restart");
    expect({ sent: stats.sent, rejected: stats.rejected, failed: stats.failed }).toEqual({
      sent: COUNT,
      rejected: 0,
      failed: 0,
    });
    // Idempotence: the retries of the batches in flight at the kill wrote nothing twice.
    expect(await topicSize(config, config.TOPIC_USERS)).toBe(COUNT);
    expect(await waitForFinal(client, config, expected, 240_000)).toEqual(expected);
    expect(await waitForUsers(client, config, COUNT)).toBe(COUNT);
    expect(await topicSize(config, config.TOPIC_DLQ)).toBe(0);
    expect(await topicSize(config, config.TOPIC_LATE)).toBe(0);
    expect(processor.child.exitCode, processor.lines.slice(-20).join("\n")).toBeNull();
  }, 600_000);
});
