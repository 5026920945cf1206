import { type Client, types } from "cassandra-driver";
import { createCassandraClient } from "../../../common/src/cassandra-client.ts";
import { hourBucket, migrate, tableRetention } from "../../../common/src/cassandra-schema.ts";
import { consistencyCode, keyspaceReplication } from "../../../common/src/cassandra-settings.ts";
import type { Config } from "../../../common/src/config.ts";
import type { WindowRow } from "../core/types.ts";
import type { Checkpoint, OpenWindowRow, ProcessorStore, StoredUser } from "../ports.ts";
import { permanentCassandraError } from "./cassandra-errors.ts";

/**
 * Write timestamp of final window rows, far above any clock-based timestamp (µs since the epoch, ~2^50
 * today). Cassandra keeps the cell with the highest timestamp, so a partial row recomputed after a
 * restart can never overwrite a final one, and a final rewritten by a replay (identical values, same
 * timestamp) changes nothing. Open rows are written below it, at openWriteTimestamp().
 */
export const FINAL_WRITE_TIMESTAMP = types.Long.fromNumber(Number.MAX_SAFE_INTEGER);

const OPEN_WRITE_BASE = 2 ** 52;

/**
 * Write timestamp of an open row taken at `nextOffset` of its source partition: 2^52 + the offset. Ordered
 * by how far the partition had been read, not by a clock, so a version the previous owner still had queued
 * or was retrying when the partition moved cannot replace a newer one of the next owner (a client timestamp
 * is taken when the write is sent, which the queue can delay past the handover), and a replay after a crash
 * does not set the row back while it catches up. Between the client timestamps older releases wrote open
 * rows with (~2^50) and FINAL_WRITE_TIMESTAMP.
 */
export function openWriteTimestamp(nextOffset: number): types.Long {
  return types.Long.fromNumber(OPEN_WRITE_BASE + Math.min(Math.max(nextOffset, 0), OPEN_WRITE_BASE - 2));
}

/**
 * Write timestamp of the final rows a rebuild started at `startedAtMs` writes (docs/rebuild.md): the band
 * above FINAL_WRITE_TIMESTAMP, ordered by the rebuild's start, so a rebuilt row replaces the live
 * processor's final one (and an earlier rebuild's), and the same rebuild resumed writes at the same one.
 * Its range tombstone is written one below, so it removes every older row of the range but its own.
 */
export function rebuildWriteTimestamp(startedAtMs: number): types.Long {
  return FINAL_WRITE_TIMESTAMP.add(types.Long.fromNumber(startedAtMs).multiply(1000));
}

/** Minute bucket of a checkpoint mark (processor_checkpoint_marks). */
export const MARK_BUCKET_MS = 60_000;

const USER_COLUMNS = [
  "event_id",
  "event_time",
  "title",
  "first_name",
  "last_name",
  "gender",
  "nat",
  "country",
  "city",
  "state",
  "street",
  "postcode",
  "latitude",
  "longitude",
  "timezone_offset",
  "email",
  "username",
  "age",
  "dob",
  "registered_at",
  "phone",
  "cell",
  "id_name",
  "id_value",
  "picture",
  "source",
  "timezone_description",
  "kafka_partition",
  "kafka_offset",
] as const;

/** The users table's INSERT and the by-username index's, for `keyspace`; the bench's ceiling loader writes them too. */
export function userStatements(keyspace: string): { user: string; userByName: string } {
  return {
    user: `INSERT INTO ${keyspace}.users (${USER_COLUMNS.join(", ")}) VALUES (${USER_COLUMNS.map(() => "?").join(", ")})`,
    userByName: `INSERT INTO ${keyspace}.users_by_username (username, event_id) VALUES (?, ?)`,
  };
}

/** A user's row of the users table, in USER_COLUMNS order. */
export function userRow(u: StoredUser): unknown[] {
  const r = u.record;
  return [
    r.event_id,
    new Date(r.event_time),
    r.title,
    r.first_name,
    r.last_name,
    r.gender,
    r.nat,
    r.country,
    r.city,
    r.state,
    r.street,
    r.postcode,
    r.latitude,
    r.longitude,
    r.timezone_offset,
    r.email,
    r.username,
    r.age,
    new Date(r.dob),
    new Date(r.registered_at),
    r.phone,
    r.cell,
    r.id_name,
    r.id_value ?? null,
    r.picture,
    r.source ?? u.source,
    r.timezone_description ?? null,
    u.partition,
    types.Long.fromString(u.offset),
  ];
}

const WINDOW_COLUMNS =
  "group_name, hour, window_start, key, kafka_partition, window_end, count, sum_age, min_age, max_age, fields, final, updated_at";

/**
 * The extra aggregate fields of a row as the fields column holds them ([count, sum, min, max] by name);
 * unset without them, so that a row of a processor aggregating age only writes no tombstone there.
 */
function fieldsColumn(r: WindowRow): Record<string, number[]> | typeof types.unset {
  if (r.fields === undefined) return types.unset;
  const out: Record<string, number[]> = {};
  for (const [name, f] of Object.entries(r.fields)) out[name] = [f.count, f.sum, f.min, f.max];
  return out;
}

/** Driver consistency codes of the three table families (the driver's default, LOCAL_ONE, for each). */
export interface StoreConsistency {
  users: number;
  windows: number;
  checkpoints: number;
}

/** The bound values of a window row statement: WINDOW_COLUMNS' order, then its write timestamp. */
function windowParams(r: WindowRow, now: Date, timestamp: types.Long): unknown[] {
  return [
    r.group,
    hourBucket(r.windowStart),
    types.Long.fromNumber(r.windowStart),
    r.key,
    r.partition,
    types.Long.fromNumber(r.windowEnd),
    types.Long.fromNumber(r.count),
    types.Long.fromNumber(r.sum),
    r.min,
    r.max,
    fieldsColumn(r),
    now,
    timestamp,
  ];
}

function storeConsistency(config: Config): StoreConsistency {
  return {
    users: consistencyCode(config.CASSANDRA_CONSISTENCY_USERS),
    windows: consistencyCode(config.CASSANDRA_CONSISTENCY_WINDOWS),
    checkpoints: consistencyCode(config.CASSANDRA_CONSISTENCY_CHECKPOINTS),
  };
}

const LOCAL_ONE = consistencyCode("LOCAL_ONE");

/** The processor's statements, every one idempotent and prepared. */
export class CassandraStore implements ProcessorStore {
  private readonly q: {
    user: string;
    userByName: string;
    partial: string;
    final: string;
    checkpointWrite: string;
    checkpointRead: string;
    markWrite: string;
  };

  constructor(
    readonly client: Client,
    readonly keyspace: string,
    private readonly consistency: StoreConsistency = {
      users: LOCAL_ONE,
      windows: LOCAL_ONE,
      checkpoints: LOCAL_ONE,
    },
  ) {
    const ks = keyspace;
    this.q = {
      ...userStatements(ks),
      partial: `INSERT INTO ${ks}.window_aggregates (${WINDOW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, ?) USING TIMESTAMP ?`,
      final: `INSERT INTO ${ks}.window_aggregates (${WINDOW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true, ?) USING TIMESTAMP ?`,
      markWrite: `INSERT INTO ${ks}.processor_checkpoint_marks (topic, kafka_partition, minute, next_offset, watermark) VALUES (?, ?, ?, ?, ?)`,
      checkpointWrite: `INSERT INTO ${ks}.processor_checkpoints (topic, kafka_partition, next_offset, watermark, state, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
      checkpointRead: `SELECT next_offset, watermark, state FROM ${ks}.processor_checkpoints WHERE topic = ? AND kafka_partition = ?`,
    };
  }

  /** Connects and creates or upgrades the schema (idempotent, as every process does at start). */
  static async open(config: Config, readTimeoutMs?: number): Promise<CassandraStore> {
    const client = createCassandraClient(config, { readTimeoutMs });
    try {
      await client.connect();
      await migrate(client, config.CASSANDRA_KEYSPACE, keyspaceReplication(config), tableRetention(config));
    } catch (err) {
      // A failed attempt at start is retried with a new client: this one must not linger reconnecting.
      await client.shutdown().catch(() => undefined);
      throw err;
    }
    return new CassandraStore(client, config.CASSANDRA_KEYSPACE, storeConsistency(config));
  }

  /** Users upserts, in one unlogged batch: the rows are independent, the batch only saves round trips. */
  async writeUsers(users: readonly StoredUser[]): Promise<void> {
    const queries: { query: string; params: unknown[] }[] = [];
    for (const u of users) {
      queries.push({ query: this.q.user, params: userRow(u) });
      queries.push({ query: this.q.userByName, params: [u.record.username, u.record.event_id] });
    }
    if (queries.length === 2) {
      await Promise.all(
        queries.map((q) =>
          this.client.execute(q.query, q.params, {
            prepare: true,
            isIdempotent: true,
            consistency: this.consistency.users,
          }),
        ),
      );
      return;
    }
    await this.batch(queries, this.consistency.users);
  }

  /**
   * An unlogged batch; one Cassandra refuses as too large (batch_size_fail_threshold, 50 KiB by default) is
   * split in halves until it fits, so a server with a low threshold slows the writes instead of blocking them.
   */
  private async batch(queries: { query: string; params: unknown[] }[], consistency: number): Promise<void> {
    try {
      await this.client.batch(queries, { prepare: true, logged: false, isIdempotent: true, consistency });
    } catch (err) {
      if (queries.length < 2 || !/batch too large/i.test((err as Error).message)) throw err;
      const half = Math.ceil(queries.length / 2);
      await Promise.all([
        this.batch(queries.slice(0, half), consistency),
        this.batch(queries.slice(half), consistency),
      ]);
    }
  }

  /**
   * Final rows of one (group, hour) Cassandra partition, as one single-partition batch, written at
   * FINAL_WRITE_TIMESTAMP, or at `timestamp` (a rebuild's, rebuildWriteTimestamp()).
   */
  async writeFinalWindows(
    rows: readonly WindowRow[],
    timestamp: types.Long = FINAL_WRITE_TIMESTAMP,
  ): Promise<void> {
    const now = new Date();
    await this.writeRows(rows.map((r) => ({ query: this.q.final, params: windowParams(r, now, timestamp) })));
  }

  /** Open rows of one (group, hour) Cassandra partition, each at the timestamp of its version. */
  async writeOpenWindows(rows: readonly OpenWindowRow[]): Promise<void> {
    const now = new Date();
    await this.writeRows(
      rows.map((o) => ({
        query: this.q.partial,
        params: windowParams(o.row, now, openWriteTimestamp(o.nextOffset)),
      })),
    );
  }

  private async writeRows(queries: { query: string; params: unknown[] }[]): Promise<void> {
    if (queries.length === 1) {
      await this.client.execute(queries[0]!.query, queries[0]!.params, {
        prepare: true,
        isIdempotent: true,
        consistency: this.consistency.windows,
      });
      return;
    }
    await this.batch(queries, this.consistency.windows);
  }

  /** The checkpoint, and its mark for rebuilds (the latest checkpoint of each minute of watermark). */
  async writeCheckpoint(topic: string, c: Checkpoint): Promise<void> {
    const options = { prepare: true, isIdempotent: true, consistency: this.consistency.checkpoints };
    const nextOffset = types.Long.fromString(c.nextOffset);
    const watermark = c.watermark === null ? null : types.Long.fromNumber(c.watermark);
    await Promise.all([
      this.client.execute(
        this.q.checkpointWrite,
        [topic, c.partition, nextOffset, watermark, c.state, new Date()],
        options,
      ),
      c.watermark === null
        ? undefined
        : this.client.execute(
            this.q.markWrite,
            [
              topic,
              c.partition,
              types.Long.fromNumber(Math.floor(c.watermark / MARK_BUCKET_MS)),
              nextOffset,
              watermark,
            ],
            options,
          ),
    ]);
  }

  async readCheckpoint(topic: string, partition: number): Promise<Checkpoint | null> {
    const rs = await this.client.execute(this.q.checkpointRead, [topic, partition], {
      prepare: true,
      consistency: this.consistency.checkpoints,
    });
    const row = rs.first();
    if (!row) return null;
    const wm = row.get("watermark") as types.Long | null;
    return {
      partition,
      nextOffset: (row.get("next_offset") as types.Long).toString(),
      watermark: wm === null ? null : wm.toNumber(),
      state: row.get("state") as Buffer,
    };
  }

  permanentError(err: unknown): string | null {
    return permanentCassandraError(err);
  }

  async close(): Promise<void> {
    await this.client.shutdown();
  }
}
