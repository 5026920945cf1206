import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
  dropAll,
  reference,
  spawnProcessor,
  topicSize,
  uniqueConfig,
  waitFor,
  waitForFinal,
  waitForUsers,
  writeFixture,
} from "../../processor/src/testing/harness.ts";
import { openPipeline } from "../../producer/src/pipeline.ts";
import { replayFile } from "../../producer/src/replay.ts";
import { registerUserSchema } from "../../producer/src/schema-registry.ts";
import { type PrivateService, privateRegistry } from "./private-services.ts";
import { stopChild } from "./stop-child.ts";

// The schema registry stopped for 30 s while a producer and the processor run: a private registry
// (tests/faults/private-services.ts), the shared Kafka and Cassandra under names of the test's own. A v1
// producer streams; a v2 producer registers its schema and the registry stops right after, so the processor
// meets the new schema id while the registry is down. It must hold those records back (never dead-letter
// them), say so on /healthz, and once the registry is back end with every user stored under its own version
// and the final aggregates equal to the reference. A producer that starts during the outage fails at
// registration, naming the registry, before it sends anything.
describe("the schema registry stopped 30 s mid-stream", () => {
  const dir = mkdtempSync(join(tmpdir(), "registry-outage-"));
  const COUNT = 3_000;
  const OUTAGE_MS = 30_000;
  const start = Date.parse("2026-05-02T00:00:00Z");
  let registry: PrivateService | null = null;
  let config: Config;
  let client: Client | null = null;
  let expected: RefRow[];
  let processor: ChildProcessor | null = null;

  beforeAll(async () => {
    registry = privateRegistry();
    await registry.start();
    config = uniqueConfig("reg", { SCHEMA_REGISTRY_URL: registry.endpoint, TOPIC_PARTITIONS: "2" });
    client = cassandraClient(config);
    await client.connect();
    const file = join(dir, "stream.ndjson");
    const events = await writeFixture(file, {
      count: COUNT,
      seed: 22,
      startMs: start,
      spacingMs: 10,
      disorderMs: 2_000,
      lateEvery: 0,
      lateMs: 0,
    });
    expected = reference(events, config);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    writeFileSync(join(dir, "v1.ndjson"), `${lines.slice(0, COUNT / 2).join("\n")}\n`);
    writeFileSync(join(dir, "v2.ndjson"), `${lines.slice(COUNT / 2).join("\n")}\n`);
    processor = spawnProcessor(config, { PROCESSOR_UNHEALTHY_AFTER_MS: "5000" });
    await withTimeout(processor.started, 120_000, "the processor did not start within 120 s");
  }, 300_000);

  afterAll(async () => {
    await stopChild(processor);
    if (client) {
      await dropAll(config, client);
      await client.shutdown();
    }
    await registry?.dispose();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("holds the records of a schema it cannot fetch, then ends exact", async () => {
    if (!registry || !client || !processor) throw new Error("set-up failed");
    const port = await processor.started;
    const health = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;

    const v1 = await replayFile(join(dir, "v1.ndjson"), config, { schemaVersion: 1, speed: 2 });
    expect([v1.sent, v1.failed]).toEqual([COUNT / 2, 0]);
    const pipeline = await openPipeline(config, { schemaVersion: 2 });
    await registry.stop("SIGTERM");
    const stoppedAt = Date.now();
    try {
      const v2 = replayFile(join(dir, "v2.ndjson"), config, { pipeline, speed: 2 });
      v2.catch(() => undefined);

      const refused = await registerUserSchema(config, 2).catch((e: Error) => e);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toMatch(
        new RegExp(`^schema registry ${config.SCHEMA_REGISTRY_URL}: cannot register user schema v2 under `),
      );

      await waitFor("/healthz 503 while the registry is down", health, (s) => s === 503, OUTAGE_MS);
      await sleep(Math.max(0, stoppedAt + OUTAGE_MS - Date.now()));
      expect(await topicSize(config, config.TOPIC_DLQ)).toBe(0);
      await registry.start();

      const stats = await withTimeout(v2, 120_000, "the v2 replay did not end");
      expect([stats.sent, stats.rejected, stats.failed]).toEqual([COUNT / 2, 0, 0]);
    } finally {
      await pipeline.close();
    }

    expect(await waitForFinal(client, config, expected, 240_000)).toEqual(expected);
    expect(await waitForUsers(client, config, COUNT)).toBe(COUNT);
    const rs = await client.execute(
      `SELECT timezone_description FROM ${config.CASSANDRA_KEYSPACE}.users`,
      [],
      { fetchSize: COUNT * 2, readTimeout: 60_000 },
    );
    const withV2Field = rs.rows.filter((r) => r.get("timezone_description") !== null).length;
    expect(withV2Field).toBe(COUNT / 2);
    expect(await topicSize(config, config.TOPIC_DLQ)).toBe(0);
    await waitFor("/healthz 200 once the registry is back", health, (s) => s === 200, 60_000);
    expect(processor.child.exitCode, processor.lines.slice(-20).join("\n")).toBeNull();
  }, 600_000);
});
