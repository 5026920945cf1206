import { type Client, errors, types } from "cassandra-driver";
import { hourBucket } from "../../../common/src/cassandra-schema.ts";
import type { ScheduleState } from "../../../common/src/ingestion-schedule.ts";
import { type InstanceHeartbeat, readHeartbeats } from "../../../common/src/instance-registry.ts";
import {
  type AggregateStore,
  type Checkpoint,
  type CheckpointStore,
  type IngestionRun,
  type InstanceRegistry,
  type RebuildLog,
  ResultTooLargeError,
  type RunStore,
  type ScheduleStore,
  StoreUnavailableError,
  type User,
  type UserStore,
  type WindowQuery,
} from "../ports.ts";
import type { WindowRow } from "../window-types.ts";

const DAY_MS = 86_400_000;

type Row = types.Row;

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return v;
  if (v instanceof types.Long) return v.toNumber();
  if (v instanceof Date) return v.getTime();
  if (typeof v === "bigint") return Number(v);
  return null;
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toUser(r: Row): User {
  return {
    eventId: String(r.get("event_id")),
    eventTime: num(r.get("event_time")),
    title: str(r.get("title")),
    firstName: str(r.get("first_name")),
    lastName: str(r.get("last_name")),
    gender: str(r.get("gender")),
    nat: str(r.get("nat")),
    country: str(r.get("country")),
    city: str(r.get("city")),
    state: str(r.get("state")),
    street: str(r.get("street")),
    postcode: str(r.get("postcode")),
    latitude: num(r.get("latitude")),
    longitude: num(r.get("longitude")),
    timezoneOffset: str(r.get("timezone_offset")),
    timezoneDescription: str(r.get("timezone_description")),
    email: str(r.get("email")),
    username: str(r.get("username")),
    age: num(r.get("age")),
    dob: num(r.get("dob")),
    registeredAt: num(r.get("registered_at")),
    phone: str(r.get("phone")),
    cell: str(r.get("cell")),
    idName: str(r.get("id_name")),
    idValue: str(r.get("id_value")),
    picture: str(r.get("picture")),
    source: str(r.get("source")),
    kafkaPartition: num(r.get("kafka_partition")),
    kafkaOffset: num(r.get("kafka_offset")),
  };
}

function toWindowRow(group: string, r: Row): WindowRow {
  return {
    windowStart: num(r.get("window_start")) ?? 0,
    windowEnd: num(r.get("window_end")) ?? 0,
    group,
    key: String(r.get("key")),
    partition: num(r.get("kafka_partition")) ?? 0,
    count: num(r.get("count")) ?? 0,
    sumAge: num(r.get("sum_age")) ?? 0,
    minAge: num(r.get("min_age")) ?? 0,
    maxAge: num(r.get("max_age")) ?? 0,
    final: r.get("final") === true,
    ...storedFields(r.get("fields")),
  };
}

/** The fields column (migration 7: [count, sum, min, max] by name); nothing for a row written without. */
function storedFields(v: unknown): Pick<WindowRow, "fields"> {
  if (v === null || v === undefined || typeof v !== "object") return {};
  const fields: NonNullable<WindowRow["fields"]> = {};
  for (const [name, stats] of Object.entries(v as Record<string, unknown>)) {
    if (!Array.isArray(stats) || stats.length !== 4) continue;
    const [count, sum, min, max] = stats.map(Number) as [number, number, number, number];
    fields[name] = { count, sum, min, max };
  }
  return { fields };
}

function toRun(r: Row): IngestionRun {
  const parameters = str(r.get("parameters"));
  let parsed: Record<string, unknown> | null = null;
  try {
    const v: unknown = parameters ? JSON.parse(parameters) : null;
    parsed = v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    parsed = { unreadable: parameters };
  }
  return {
    runId: String(r.get("run_id")),
    source: str(r.get("source")),
    startedAt: num(r.get("started_at")),
    endedAt: num(r.get("ended_at")),
    fetched: num(r.get("fetched")) ?? 0,
    sent: num(r.get("sent")) ?? 0,
    rejected: num(r.get("rejected")) ?? 0,
    failed: num(r.get("failed")) ?? 0,
    status: str(r.get("status")),
    error: str(r.get("error")),
    parameters: parsed,
    errors: ((r.get("errors") as string[] | null) ?? []).map(String),
    updatedAt: num(r.get("updated_at")),
  };
}

const UNAVAILABLE_CODES = new Set<number>([
  types.responseErrorCodes.unavailableException,
  types.responseErrorCodes.overloaded,
  types.responseErrorCodes.isBootstrapping,
  types.responseErrorCodes.readTimeout,
  types.responseErrorCodes.readFailure,
]);

const isPlainDriverError = (err: Error): boolean =>
  Object.getPrototypeOf(err) === errors.DriverError.prototype;

/** Driver errors that mean "Cassandra is not answering now" become StoreUnavailableError. */
function classify(err: unknown): unknown {
  const down =
    err instanceof errors.NoHostAvailableError ||
    err instanceof errors.OperationTimedOutError ||
    err instanceof errors.BusyConnectionError ||
    (err instanceof errors.ResponseError && UNAVAILABLE_CODES.has(err.code)) ||
    // A connection lost mid-request surfaces as a plain DriverError ("Socket was closed").
    (err instanceof Error && isPlainDriverError(err) && /socket|connection/i.test(err.message));
  return down ? new StoreUnavailableError(`Cassandra did not answer: ${(err as Error).message}`) : err;
}

async function guarded<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw classify(err);
  }
}

/**
 * Reads the tables of common/src/cassandra-schema.ts: windows, users, producer runs, the schedule,
 * checkpoints and the processor instance registry.
 */
export class CassandraStore
  implements AggregateStore, UserStore, RunStore, ScheduleStore, CheckpointStore, RebuildLog, InstanceRegistry
{
  constructor(
    private readonly client: Client,
    private readonly keyspace: string,
  ) {
    if (!/^[a-z][a-z0-9_]{0,47}$/.test(keyspace)) throw new Error(`bad keyspace name: ${keyspace}`);
  }

  /** Hour buckets read at once, by a multi-hour query here and by WindowHistory; bounds one request's load. */
  static readonly READ_CONCURRENCY = 8;

  windowRows(q: WindowQuery, maxRows: number): Promise<WindowRow[]> {
    return guarded(() => this.#windowRows(q, maxRows));
  }

  async #windowRows(q: WindowQuery, maxRows: number): Promise<WindowRow[]> {
    // key is a clustering column after the window_start range: filtering on it needs ALLOW FILTERING,
    // which within one (group, hour) partition costs the same scan and sends only the key's rows.
    const cql = `SELECT window_start, window_end, key, kafka_partition, count, sum_age, min_age, max_age, fields, final
      FROM ${this.keyspace}.window_aggregates WHERE group_name = ? AND hour = ? AND window_start >= ? AND window_start < ?${
        q.key === undefined ? "" : " AND key = ? ALLOW FILTERING"
      }`;
    const buckets: number[] = [];
    for (let h = hourBucket(q.from); h <= hourBucket(q.to - 1); h++) buckets.push(h);
    const out: WindowRow[] = [];
    let stopped = false;
    const readBucket = async (hour: number) => {
      const params: unknown[] = [q.group, hour, types.Long.fromNumber(q.from), types.Long.fromNumber(q.to)];
      if (q.key !== undefined) params.push(q.key);
      const rs = await this.client.execute(cql, params, { prepare: true, fetchSize: 20_000 });
      for await (const r of rs) {
        if (stopped) return;
        out.push(toWindowRow(q.group, r));
        if (out.length > maxRows) {
          stopped = true;
          throw new ResultTooLargeError(
            `more than ${maxRows} stored window rows in range; narrow the range or set key`,
          );
        }
      }
    };
    let next = 0;
    const worker = async () => {
      try {
        while (!stopped && next < buckets.length) await readBucket(buckets[next++] as number);
      } catch (err) {
        stopped = true;
        throw err;
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(CassandraStore.READ_CONCURRENCY, buckets.length) }, worker),
    );
    return out;
  }

  user(eventId: string): Promise<User | null> {
    return guarded(() => this.#user(eventId));
  }

  async #user(eventId: string): Promise<User | null> {
    const rs = await this.client.execute(
      `SELECT * FROM ${this.keyspace}.users WHERE event_id = ?`,
      [eventId],
      { prepare: true },
    );
    const r = rs.first();
    return r ? toUser(r) : null;
  }

  usersByUsername(username: string, limit: number): Promise<User[]> {
    return guarded(() => this.#usersByUsername(username, limit));
  }

  async #usersByUsername(username: string, limit: number): Promise<User[]> {
    const rs = await this.client.execute(
      `SELECT event_id FROM ${this.keyspace}.users_by_username WHERE username = ? LIMIT ?`,
      [username, limit],
      { prepare: true },
    );
    const users = await Promise.all(rs.rows.map((r) => this.#user(String(r.get("event_id")))));
    return users.filter((u): u is User => u !== null);
  }

  recentRuns(days: number, limit: number): Promise<IngestionRun[]> {
    return guarded(() => this.#recentRuns(days, limit));
  }

  async #recentRuns(days: number, limit: number): Promise<IngestionRun[]> {
    const today = Math.floor(Date.now() / DAY_MS);
    const out: IngestionRun[] = [];
    for (let day = today; day > today - days && out.length < limit; day--) {
      const rs = await this.client.execute(
        `SELECT * FROM ${this.keyspace}.ingestion_runs WHERE day = ? LIMIT ?`,
        [day, limit - out.length],
        { prepare: true },
      );
      for (const r of rs.rows) out.push(toRun(r));
    }
    return out;
  }

  run(runId: string): Promise<IngestionRun | null> {
    return guarded(() => this.#run(runId));
  }

  async #run(runId: string): Promise<IngestionRun | null> {
    let id: types.TimeUuid;
    try {
      id = types.TimeUuid.fromString(runId);
    } catch {
      return null;
    }
    const day = Math.floor(id.getDate().getTime() / DAY_MS);
    const rs = await this.client.execute(
      `SELECT * FROM ${this.keyspace}.ingestion_runs WHERE day = ? AND run_id = ?`,
      [day, id],
      { prepare: true },
    );
    const r = rs.first();
    return r ? toRun(r) : null;
  }

  schedule(name: string): Promise<ScheduleState | null> {
    return guarded(async () => {
      const rs = await this.client.execute(
        `SELECT * FROM ${this.keyspace}.ingestion_schedule WHERE name = ?`,
        [name],
        { prepare: true },
      );
      const r = rs.first();
      if (!r) return null;
      return {
        name,
        paused: r.get("paused") === true,
        triggerRequestedAt: num(r.get("trigger_requested_at")),
        triggerHandledAt: num(r.get("trigger_handled_at")),
        source: str(r.get("source")),
        intervalMs: num(r.get("interval_ms")),
        nextRunAt: num(r.get("next_run_at")),
        heartbeatAt: num(r.get("heartbeat_at")),
        scheduler: str(r.get("scheduler")),
        runningRunId: str(r.get("running_run_id")),
        lastRunId: str(r.get("last_run_id")),
        updatedBy: str(r.get("updated_by")),
      };
    });
  }

  requestTrigger(name: string, by: string, at = Date.now()): Promise<void> {
    return guarded(async () => {
      await this.client.execute(
        `UPDATE ${this.keyspace}.ingestion_schedule SET trigger_requested_at = ?, updated_by = ? WHERE name = ?`,
        [new Date(at), by, name],
        { prepare: true },
      );
    });
  }

  setPaused(name: string, paused: boolean, by: string): Promise<void> {
    return guarded(async () => {
      await this.client.execute(
        `UPDATE ${this.keyspace}.ingestion_schedule SET paused = ?, updated_by = ? WHERE name = ?`,
        [paused, by, name],
        { prepare: true },
      );
    });
  }

  checkpoints(topic: string): Promise<Checkpoint[]> {
    return guarded(() => this.#checkpoints(topic));
  }

  async #checkpoints(topic: string): Promise<Checkpoint[]> {
    const rs = await this.client.execute(
      `SELECT kafka_partition, next_offset, watermark, updated_at FROM ${this.keyspace}.processor_checkpoints WHERE topic = ?`,
      [topic],
      { prepare: true },
    );
    return rs.rows.map((r) => ({
      partition: num(r.get("kafka_partition")) ?? 0,
      nextOffset: num(r.get("next_offset")) ?? 0,
      watermark: num(r.get("watermark")),
      updatedAt: num(r.get("updated_at")),
    }));
  }

  lastRebuildFinished(topic: string): Promise<number> {
    return guarded(async () => {
      const rs = await this.client.execute(
        `SELECT finished_at FROM ${this.keyspace}.rebuild_jobs WHERE topic = ?`,
        [topic],
        { prepare: true },
      );
      return rs.rows.reduce((max, r) => Math.max(max, num(r.get("finished_at")) ?? 0), 0);
    });
  }

  heartbeats(group: string): Promise<InstanceHeartbeat[]> {
    return guarded(() => readHeartbeats(this.client, this.keyspace, group));
  }
}
