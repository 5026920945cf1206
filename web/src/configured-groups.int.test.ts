import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../common/src/config.ts";
import type { RefRow } from "../../processor/src/core/reference.ts";
import {
  type ChildProcessor,
  cassandraClient,
  dropAll,
  reference,
  spawnProcessor,
  uniqueConfig,
  waitForFinal,
  writeFixture,
} from "../../processor/src/testing/harness.ts";
import { replayFile } from "../../producer/src/replay.ts";
import { CassandraStore } from "./adapters/cassandra-store.ts";
import { AggregationGroups } from "./aggregation-groups.ts";
import { createApp } from "./app.tsx";
import { testWorld } from "./testing/deps.ts";
import { WindowHistory } from "./window-history.ts";
import type { Window } from "./window-types.ts";

// A GROUP_BY the web tier does not know: the processor (a child, as in production) publishes it with its
// heartbeat, and the API serves it equal to the reference; the web tier's own GROUP_BY (the default) is
// not what decides.
describe("a non-default GROUP_BY end to end", () => {
  const dir = mkdtempSync(join(tmpdir(), "groups-"));
  let config: Config;
  let client: Client;
  let expected: RefRow[];
  let processor: ChildProcessor | null = null;
  const start = Date.parse("2026-03-01T00:00:00Z");

  beforeAll(async () => {
    config = uniqueConfig("groups", { TOPIC_PARTITIONS: "2", GROUP_BY: "nat,gender,country" });
    client = cassandraClient(config);
    await client.connect();
    const file = join(dir, "fixture.ndjson");
    const events = await writeFixture(file, {
      count: 3_000,
      seed: 7,
      startMs: start,
      spacingMs: 20,
      disorderMs: 2_000,
      lateEvery: 0,
      lateMs: 0,
    });
    expected = reference(events, config);
    processor = spawnProcessor(config);
    await processor.started;
    await replayFile(file, config);
  }, 180_000);

  afterAll(async () => {
    if (processor && processor.child.exitCode === null) {
      processor.child.kill("SIGTERM");
      await processor.exited;
    }
    await dropAll(config, client);
    await client.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is written by the processor, listed from its heartbeat and served by /api/aggregates", async () => {
    expect(await waitForFinal(client, config, expected, 150_000)).toEqual(expected);
    const store = new CassandraStore(client, config.CASSANDRA_KEYSPACE);
    const groups = new AggregationGroups({
      registry: store,
      consumerGroup: config.CONSUMER_GROUP,
      fallback: ["nat", "gender"],
    });
    const app = createApp(
      testWorld({
        history: new WindowHistory(store, {
          settleMs: 0,
          maxCachedWindows: 0,
          liveTtlMs: 0,
          readConcurrency: CassandraStore.READ_CONCURRENCY,
        }),
        groups,
      }).deps,
    );
    expect(await (await app.request("/api/groups")).json()).toEqual({
      groups: ["all", "nat", "gender", "country"],
    });
    const from = Math.min(...expected.map((r) => r.windowStart));
    const to = Math.max(...expected.map((r) => r.windowStart)) + 1;
    const res = await app.request(`/api/aggregates?group=country&from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    const { windows } = (await res.json()) as { windows: Window[] };
    const served = windows.map((w) => ({
      windowStart: w.windowStart,
      windowEnd: w.windowEnd,
      group: w.group,
      key: w.key,
      count: w.count,
      sum: w.sumAge,
      min: w.minAge,
      max: w.maxAge,
      final: w.final,
    }));
    const country = expected
      .filter((r) => r.group === "country")
      .map(({ avg: _avg, ...r }) => ({ ...r, final: true }));
    expect(country.length).toBeGreaterThan(0);
    expect(served).toEqual(country);

    const bad = await app.request(`/api/aggregates?group=city&from=${from}&to=${to}`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "group: must be one of all, nat, gender, country" });
    const page = await (await app.request("/history?group=country")).text();
    expect(page).toContain('<option value="country" selected="">country</option>');
  }, 200_000);
});
