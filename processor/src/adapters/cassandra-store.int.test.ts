import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../common/src/config.ts";
import { userSchema } from "../../../common/src/user-schema.ts";
import { createRng } from "../../../producer/src/rng.ts";
import { syntheticUser } from "../../../producer/src/synthetic-users.ts";
import { mapUser } from "../../../producer/src/user-mapping.ts";
import type { WindowRow } from "../core/index.ts";
import type { StoredUser } from "../ports.ts";
import { uniqueConfig } from "../testing/harness.ts";
import { PermanentWriteError, WriteQueue } from "../write-queue.ts";
import { permanentCassandraError } from "./cassandra-errors.ts";
import { CassandraStore, FINAL_WRITE_TIMESTAMP, openWriteTimestamp } from "./cassandra-store.ts";

const row = (over: Partial<WindowRow>): WindowRow => ({
  partition: 2,
  windowStart: 1_767_225_600_000,
  windowEnd: 1_767_225_610_000,
  group: "nat",
  key: "FR",
  count: 3,
  sum: 120,
  min: 30,
  max: 50,
  avg: 40,
  final: false,
  ...over,
});

describe("CassandraStore", () => {
  let config: Config;
  let store: CassandraStore;

  beforeAll(async () => {
    config = uniqueConfig("store");
    store = await CassandraStore.open(config);
  });

  afterAll(async () => {
    await store.client.execute(`DROP KEYSPACE IF EXISTS ${config.CASSANDRA_KEYSPACE}`);
    await store.close();
  });

  async function readRow(r: WindowRow) {
    const rs = await store.client.execute(
      `SELECT count, sum_age, min_age, max_age, final FROM ${config.CASSANDRA_KEYSPACE}.window_aggregates
       WHERE group_name = ? AND hour = ? AND window_start = ? AND key = ? AND kafka_partition = ?`,
      [r.group, Math.floor(r.windowStart / 3_600_000), r.windowStart, r.key, r.partition],
      { prepare: true },
    );
    const x = rs.first();
    return {
      count: Number(x.get("count")),
      sum: Number(x.get("sum_age")),
      min: x.get("min_age") as number,
      max: x.get("max_age") as number,
      final: x.get("final") as boolean,
    };
  }

  it("never lets a partial row overwrite a final one", async () => {
    await store.writeOpenWindows([{ row: row({ count: 2, sum: 70 }), nextOffset: 2 }]);
    expect(await readRow(row({}))).toEqual({ count: 2, sum: 70, min: 30, max: 50, final: false });
    await store.writeFinalWindows([row({ count: 3, sum: 120 })]);
    // A replay after a crash recomputes an older partial state of the same window and writes it again.
    await store.writeOpenWindows([{ row: row({ count: 1, sum: 30 }), nextOffset: 1 }]);
    expect(await readRow(row({}))).toEqual({ count: 3, sum: 120, min: 30, max: 50, final: true });
    await store.writeFinalWindows([row({ count: 3, sum: 120 })]);
    expect(await readRow(row({}))).toEqual({ count: 3, sum: 120, min: 30, max: 50, final: true });
  });

  it("keeps the open row taken further into its partition, whatever the order the writes land in", async () => {
    const key = { key: "open-order" };
    await store.writeOpenWindows([{ row: row({ ...key, count: 4, sum: 160 }), nextOffset: 900 }]);
    // The previous owner's write of an older version, still queued when the partition moved, lands last.
    await store.writeOpenWindows([{ row: row({ ...key, count: 2, sum: 70 }), nextOffset: 450 }]);
    expect(await readRow(row(key))).toEqual({ count: 4, sum: 160, min: 30, max: 50, final: false });
    await store.writeOpenWindows([{ row: row({ ...key, count: 5, sum: 190 }), nextOffset: 901 }]);
    expect(await readRow(row(key))).toEqual({ count: 5, sum: 190, min: 30, max: 50, final: false });
    expect(openWriteTimestamp(901).greaterThan(openWriteTimestamp(900))).toBe(true);
    expect(openWriteTimestamp(Number.MAX_SAFE_INTEGER).lessThan(FINAL_WRITE_TIMESTAMP)).toBe(true);
  });

  it("round-trips a checkpoint", async () => {
    const state = Buffer.from([1, 2, 3, 250]);
    await store.writeCheckpoint("t", {
      partition: 4,
      nextOffset: "9007199254740000",
      watermark: null,
      state,
    });
    expect(await store.readCheckpoint("t", 4)).toEqual({
      partition: 4,
      nextOffset: "9007199254740000",
      watermark: null,
      state,
    });
    await store.writeCheckpoint("t", { partition: 4, nextOffset: "12", watermark: 1_767_225_600_000, state });
    expect((await store.readCheckpoint("t", 4))?.watermark).toBe(1_767_225_600_000);
    expect(await store.readCheckpoint("t", 5)).toBeNull();
  });

  it("splits a users batch that Cassandra finds too large, and upserts idempotently", async () => {
    const rng = createRng(9);
    const type = userSchema(1).type;
    const users: StoredUser[] = [];
    for (let i = 0; i < 3_000; i++) {
      const t = 1_767_225_600_000 + i;
      const mapped = mapUser(syntheticUser(rng, t), t, type);
      if (!mapped.ok) throw new Error(mapped.reason);
      users.push({ record: mapped.record, source: "synthetic", partition: 0, offset: String(i) });
    }
    // ~2 MB in one batch: over the stack's 1 MiB batch_size_fail_threshold.
    await store.writeUsers(users);
    await store.writeUsers(users.slice(0, 10));
    const ks = config.CASSANDRA_KEYSPACE;
    const count = await store.client.execute(`SELECT count(*) FROM ${ks}.users`);
    expect(Number(count.first().get(0))).toBe(3_000);
    const one = users[1234]!;
    const byName = await store.client.execute(
      `SELECT event_id FROM ${ks}.users_by_username WHERE username = ?`,
      [one.record.username],
      { prepare: true },
    );
    expect(byName.rows.map((r) => r.get("event_id"))).toContain(one.record.event_id);
    const stored = await store.client.execute(
      `SELECT first_name, source, kafka_offset FROM ${ks}.users WHERE event_id = ?`,
      [one.record.event_id],
      { prepare: true },
    );
    expect(stored.first().get("first_name")).toBe(one.record.first_name);
    expect(stored.first().get("source")).toBe("synthetic");
    expect(String(stored.first().get("kafka_offset"))).toBe("1234");
  });

  it("has the write queue fail, not retry, a write Cassandra refuses for good", async () => {
    const rng = createRng(10);
    const t = 1_767_225_600_000;
    const mapped = mapUser(syntheticUser(rng, t), t, userSchema(1).type);
    if (!mapped.ok) throw new Error(mapped.reason);
    // A BACKWARD-compatible schema could leave the key empty: Cassandra rejects it however often it is sent.
    const keyless: StoredUser = {
      record: { ...mapped.record, event_id: "" },
      source: null,
      partition: 0,
      offset: "1",
    };
    const reported: Error[] = [];
    const q = new WriteQueue({
      concurrency: 1,
      backoff: { baseMs: 10, maxMs: 50 },
      log: pino({ level: "silent" }),
      permanent: permanentCassandraError,
      onPermanent: (e) => reported.push(e),
    });
    const write = q.submit("users", () => store.writeUsers([keyless]));
    await expect(write).rejects.toBeInstanceOf(PermanentWriteError);
    await expect(write).rejects.toThrow(/users: Cassandra refused the write \(invalid request\): .*empty/i);
    expect(q.failedAttempts()).toBe(1);
    expect(reported).toHaveLength(1);
    await expect(q.barrier()).rejects.toBeInstanceOf(PermanentWriteError);
  });
});
