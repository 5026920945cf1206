import cassandra from "cassandra-driver";
import { afterAll, describe, expect, it } from "vitest";
import { contactPoints } from "../../common/src/cassandra-settings.ts";
import { RunsStore } from "./runs-store.ts";
import { isolatedConfig } from "./testing/test-config.ts";

// ingestion_runs is bounded by time (docs/retention.md): every run the producer records expires
// CASSANDRA_TTL_RUNS_SECONDS after its last write, whatever wrote it (start, progress, finish).
const config = isolatedConfig("runs_ttl", { CASSANDRA_TTL_RUNS_SECONDS: "3" });
const admin = new cassandra.Client({
  contactPoints: contactPoints(config),
  localDataCenter: config.CASSANDRA_DC,
});

describe("ingestion_runs retention against the real Cassandra", () => {
  afterAll(async () => {
    await admin.execute(`DROP KEYSPACE IF EXISTS ${config.CASSANDRA_KEYSPACE}`).catch(() => undefined);
    await admin.shutdown();
  });

  it("a recorded run carries the runs TTL and is gone once it passed", async () => {
    const store = await RunsStore.connect(config);
    try {
      const run = RunsStore.newRun("synthetic");
      await store.start(run, { rate: 1 });
      await store.progress(run, { fetched: 1, sent: 1, rejected: 0, failed: 0 });
      await store.finish(run, {
        fetched: 2,
        sent: 2,
        rejected: 0,
        failed: 0,
        status: "success",
        error: null,
      });
      expect((await store.list(run.day)).map((r) => r.status)).toEqual(["success"]);
      const ttl = await admin.execute(
        `SELECT TTL(status) AS status, TTL(parameters) AS parameters FROM ${config.CASSANDRA_KEYSPACE}.ingestion_runs WHERE day = ?`,
        [run.day],
        { prepare: true },
      );
      const row = ttl.first();
      for (const column of ["status", "parameters"]) {
        expect(row?.get(column)).toBeGreaterThan(0);
        expect(row?.get(column)).toBeLessThanOrEqual(3);
      }
      await expect
        .poll(async () => (await store.list(run.day)).length, { timeout: 15_000, interval: 500 })
        .toBe(0);
    } finally {
      await store.close();
    }
  }, 60_000);
});
