import { randomBytes } from "node:crypto";
import { Client, types } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hourBucket, migrate } from "../../../common/src/cassandra-schema.ts";
import { loadConfig } from "../../../common/src/config.ts";
import { createApp } from "../app.tsx";
import { StoreUnavailableError } from "../ports.ts";
import { testWorld } from "../testing/deps.ts";
import { WindowHistory } from "../window-history.ts";
import { CassandraStore } from "./cassandra-store.ts";

const cfg = loadConfig();
const keyspace = `web_it_${randomBytes(4).toString("hex")}`;
const client = new Client({
  contactPoints: [cfg.CASSANDRA_CONTACT_POINT],
  localDataCenter: cfg.CASSANDRA_DC,
  // A shared, busy single node answers DDL and wide reads slowly; wait rather than fail.
  socketOptions: { connectTimeout: 15_000, readTimeout: 30_000 },
});
const store = new CassandraStore(client, keyspace);
const HOUR = 3_600_000;
// Windows around an hour boundary, so a query has to read two partition buckets.
const T0 = 1_763_780_400_000 - 20_000;

async function insertWindow(
  group: string,
  start: number,
  key: string,
  partition: number,
  count: number,
  ages: [number, number, number],
  final: boolean,
) {
  await client.execute(
    `INSERT INTO ${keyspace}.window_aggregates (group_name, hour, window_start, key, kafka_partition, window_end, count, sum_age, min_age, max_age, final, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, toTimestamp(now()))`,
    [
      group,
      hourBucket(start),
      types.Long.fromNumber(start),
      key,
      partition,
      types.Long.fromNumber(start + 10_000),
      types.Long.fromNumber(count),
      types.Long.fromNumber(ages[0]),
      ages[1],
      ages[2],
      final,
    ],
    { prepare: true },
  );
}

describe("CassandraStore against the real Cassandra", () => {
  beforeAll(async () => {
    await client.connect();
    await migrate(client, keyspace);
    await insertWindow("nat", T0, "FR", 0, 2, [60, 20, 40], true);
    await insertWindow("nat", T0, "FR", 3, 1, [50, 50, 50], true);
    await insertWindow("nat", T0, "DE", 1, 1, [33, 33, 33], false);
    await insertWindow("nat", T0 + 10_000, "FR", 2, 4, [100, 10, 40], false);
    await insertWindow("nat", T0 + 20_000, "FR", 0, 5, [150, 30, 30], true);
    await insertWindow("nat", T0 + 20_000, "FR", 5, 1, [90, 90, 90], true);
    await insertWindow("gender", T0, "female", 0, 9, [270, 30, 30], true);
    await client.execute(
      `INSERT INTO ${keyspace}.users (event_id, first_name, last_name, username, city, age, nat, dob, kafka_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        "ev-1",
        "<script>x</script>",
        "Ørsted",
        "bluecat",
        "Тверь",
        41,
        "DK",
        new Date(0),
        types.Long.fromNumber(17),
      ],
      { prepare: true },
    );
    await client.execute(
      `INSERT INTO ${keyspace}.users_by_username (username, event_id) VALUES (?, ?)`,
      ["bluecat", "ev-1"],
      { prepare: true },
    );
    await client.execute(
      `INSERT INTO ${keyspace}.ingestion_runs (day, run_id, source, started_at, ended_at, fetched, sent, rejected, failed, status, error)
       VALUES (?, now(), 'api', ?, ?, 50, 48, 1, 1, 'failed', 'broker timeout')`,
      [Math.floor(Date.now() / 86_400_000), new Date(Date.now() - 5000), new Date()],
      { prepare: true },
    );
    await client.execute(
      `INSERT INTO ${keyspace}.processor_checkpoints (topic, kafka_partition, next_offset, watermark) VALUES ('users_created', 2, 40, 123)`,
    );
  });

  afterAll(async () => {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await client.shutdown();
  });

  it("answers /api/aggregates across hour buckets, merging partitions", async () => {
    const w = testWorld({
      history: new WindowHistory(store, {
        settleMs: 0,
        maxCachedWindows: 10_000,
        liveTtlMs: 0,
        readConcurrency: CassandraStore.READ_CONCURRENCY,
      }),
      users: store,
      runs: store,
    });
    const app = createApp(w.deps);
    const res = await app.request(`/api/aggregates?group=nat&from=${T0}&to=${T0 + 30_000}`);
    expect(res.status).toBe(200);
    const { windows } = (await res.json()) as { windows: Record<string, unknown>[] };
    expect(hourBucket(T0)).not.toBe(hourBucket(T0 + 20_000));
    expect(windows).toEqual([
      {
        windowStart: T0,
        windowEnd: T0 + 10_000,
        group: "nat",
        key: "DE",
        count: 1,
        sumAge: 33,
        minAge: 33,
        maxAge: 33,
        avgAge: 33,
        final: false,
      },
      {
        windowStart: T0,
        windowEnd: T0 + 10_000,
        group: "nat",
        key: "FR",
        count: 3,
        sumAge: 110,
        minAge: 20,
        maxAge: 50,
        avgAge: 110 / 3,
        final: true,
      },
      {
        windowStart: T0 + 10_000,
        windowEnd: T0 + 20_000,
        group: "nat",
        key: "FR",
        count: 4,
        sumAge: 100,
        minAge: 10,
        maxAge: 40,
        avgAge: 25,
        final: false,
      },
      {
        windowStart: T0 + 20_000,
        windowEnd: T0 + 30_000,
        group: "nat",
        key: "FR",
        count: 6,
        sumAge: 240,
        minAge: 30,
        maxAge: 90,
        avgAge: 40,
        final: true,
      },
    ]);
    const narrow = (await (
      await app.request(`/api/aggregates?group=nat&from=${T0 + 10_000}&to=${T0 + 20_000}&key=FR`)
    ).json()) as {
      windows: { windowStart: number }[];
    };
    expect(narrow.windows.map((x) => x.windowStart)).toEqual([T0 + 10_000]);
    const far = (await (
      await app.request(`/api/aggregates?group=gender&from=${T0 - 3 * HOUR}&to=${T0 + HOUR}`)
    ).json()) as {
      windows: unknown[];
    };
    expect(far.windows).toHaveLength(1);
  });

  it("reports too-large results instead of reading without bound", async () => {
    await expect(store.windowRows({ group: "nat", from: T0, to: T0 + 30_000 }, 3)).rejects.toThrow(
      /more than 3/,
    );
  });

  it("filters by key in Cassandra, counting only that key's rows against the limit", async () => {
    const q = { group: "nat" as const, from: T0, to: T0 + 30_000 };
    const de = await store.windowRows({ ...q, key: "DE" }, 1);
    expect(de.map((r) => [r.key, r.partition, r.count])).toEqual([["DE", 1, 1]]);
    const fr = await store.windowRows({ ...q, key: "FR" }, 5);
    expect(fr.map((r) => r.key)).toEqual(["FR", "FR", "FR", "FR", "FR"]);
    await expect(store.windowRows({ ...q, key: "FR" }, 4)).rejects.toThrow(/more than 4/);
  });

  it("serves users by id and username, escaped in HTML", async () => {
    const app = createApp(
      testWorld({
        history: new WindowHistory(store, {
          settleMs: 0,
          maxCachedWindows: 10_000,
          liveTtlMs: 0,
          readConcurrency: CassandraStore.READ_CONCURRENCY,
        }),
        users: store,
        runs: store,
      }).deps,
    );
    const res = await app.request("/api/users/ev-1");
    expect(await res.json()).toMatchObject({
      eventId: "ev-1",
      lastName: "Ørsted",
      city: "Тверь",
      age: 41,
      dob: 0,
      kafkaOffset: 17,
    });
    expect((await app.request("/api/users/ev-2")).status).toBe(404);
    const page = await (await app.request("/users?q=bluecat")).text();
    expect(page).toContain("&lt;script&gt;x&lt;/script&gt; Ørsted");
    expect(page).not.toContain("<script>x");
  });

  it("lists producer runs with their failures, and checkpoints", async () => {
    const runs = await store.recentRuns(7, 10);
    expect(runs).toEqual([
      expect.objectContaining({
        source: "api",
        sent: 48,
        failed: 1,
        status: "failed",
        error: "broker timeout",
      }),
    ]);
    const app = createApp(
      testWorld({
        history: new WindowHistory(store, {
          settleMs: 0,
          maxCachedWindows: 10_000,
          liveTtlMs: 0,
          readConcurrency: CassandraStore.READ_CONCURRENCY,
        }),
        users: store,
        runs: store,
      }).deps,
    );
    expect(await (await app.request("/ingestion")).text()).toContain("broker timeout");
    expect(await store.checkpoints("users_created")).toEqual([
      { partition: 2, nextOffset: 40, watermark: 123, updatedAt: null },
    ]);
  });

  it("reports an unreachable Cassandra as StoreUnavailableError (a 503)", async () => {
    const nowhere = new Client({ contactPoints: ["127.0.0.1:1"], localDataCenter: cfg.CASSANDRA_DC });
    try {
      await expect(new CassandraStore(nowhere, keyspace).user("x")).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
    } finally {
      await nowhere.shutdown();
    }
  });
});
