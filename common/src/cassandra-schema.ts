import type { Client } from "cassandra-driver";
import { type Config, loadConfig } from "./config.ts";

// Versioned, forward-only migrations. Each runs once per keyspace and is recorded in
// schema_migrations, so every process can call migrate() at start without coordination.
export interface Migration {
  version: number;
  description: string;
  statements: (ks: string, retention: TableRetention) => string[];
}

/** default_time_to_live (seconds; 0: never) of every table, from the config (docs/retention.md). */
export interface TableRetention {
  users: number;
  users_by_username: number;
  window_aggregates: number;
  ingestion_runs: number;
  /** Always 0: a checkpoint that expired while its partition is quiet would restart it from scratch. */
  processor_checkpoints: 0;
}

export function tableRetention(
  config: Pick<
    Config,
    "CASSANDRA_TTL_USERS_SECONDS" | "CASSANDRA_TTL_WINDOWS_SECONDS" | "CASSANDRA_TTL_RUNS_SECONDS"
  >,
): TableRetention {
  return {
    users: config.CASSANDRA_TTL_USERS_SECONDS,
    // The index expires with the rows it points at, never before nor after.
    users_by_username: config.CASSANDRA_TTL_USERS_SECONDS,
    window_aggregates: config.CASSANDRA_TTL_WINDOWS_SECONDS,
    ingestion_runs: config.CASSANDRA_TTL_RUNS_SECONDS,
    processor_checkpoints: 0,
  };
}

/** The documented defaults, for callers (tests, bench) that migrate without a config of their own. */
export const DEFAULT_RETENTION: TableRetention = tableRetention(loadConfig({}));

const retentionStatements = (ks: string, retention: TableRetention, tables = Object.keys(retention)) =>
  tables.map(
    (table) =>
      `ALTER TABLE ${ks}.${table} WITH default_time_to_live = ${retention[table as keyof TableRetention]}`,
  );

export const HOUR_MS = 3_600_000;

/** Partition bucket of the aggregates and runs tables: the hour since the epoch. */
export function hourBucket(ms: number): number {
  return Math.floor(ms / HOUR_MS);
}

export const migrations: Migration[] = [
  {
    version: 1,
    description: "users, window aggregates, checkpoints, ingestion runs",
    statements: (ks) => [
      `CREATE TABLE IF NOT EXISTS ${ks}.users (
        event_id text PRIMARY KEY, event_time timestamp, title text, first_name text, last_name text,
        gender text, nat text, country text, city text, state text, street text, postcode text,
        latitude double, longitude double, timezone_offset text, email text, username text, age int,
        dob timestamp, registered_at timestamp, phone text, cell text, id_name text, id_value text,
        picture text, source text, kafka_partition int, kafka_offset bigint)`,
      `CREATE TABLE IF NOT EXISTS ${ks}.users_by_username (username text, event_id text,
        PRIMARY KEY (username, event_id))`,
      // One row per (window, group, key, source partition): partitions are aggregated independently
      // so that a rebalance moves a partition's state whole; readers sum over partitions.
      `CREATE TABLE IF NOT EXISTS ${ks}.window_aggregates (
        group_name text, hour int, window_start bigint, key text, kafka_partition int,
        window_end bigint, count bigint, sum_age bigint, min_age int, max_age int, final boolean,
        updated_at timestamp,
        PRIMARY KEY ((group_name, hour), window_start, key, kafka_partition))
        WITH CLUSTERING ORDER BY (window_start ASC, key ASC, kafka_partition ASC)`,
      `CREATE TABLE IF NOT EXISTS ${ks}.processor_checkpoints (
        topic text, kafka_partition int, next_offset bigint, watermark bigint, state blob,
        updated_at timestamp, PRIMARY KEY (topic, kafka_partition))`,
      `CREATE TABLE IF NOT EXISTS ${ks}.ingestion_runs (
        day int, run_id timeuuid, source text, started_at timestamp, ended_at timestamp,
        fetched int, sent int, rejected int, failed int, status text, error text,
        PRIMARY KEY (day, run_id)) WITH CLUSTERING ORDER BY (run_id DESC)`,
    ],
  },
  {
    version: 2,
    description: "ingestion runs of every source (parameters, errors, progress); the schedule's control row",
    statements: (ks) => [
      `ALTER TABLE ${ks}.ingestion_runs ADD parameters text`,
      `ALTER TABLE ${ks}.ingestion_runs ADD errors list<text>`,
      `ALTER TABLE ${ks}.ingestion_runs ADD updated_at timestamp`,
      // One row per schedule. The web tier writes only the operator's columns (paused, trigger_requested_at,
      // updated_by), the scheduler only its own: neither overwrites the other's (last write wins per column).
      `CREATE TABLE IF NOT EXISTS ${ks}.ingestion_schedule (
        name text PRIMARY KEY, paused boolean, trigger_requested_at timestamp, updated_by text,
        source text, interval_ms bigint, next_run_at timestamp, heartbeat_at timestamp, scheduler text,
        running_run_id timeuuid, trigger_handled_at timestamp, last_run_id timeuuid)`,
    ],
  },
  {
    version: 3,
    description: "processor instance registry (heartbeats; docs/instance-registry.md)",
    statements: (ks) => [
      // A row expires 10 minutes after its last heartbeat: a gone instance stays visible as gone for a
      // while, then leaves the table on its own (no cleanup job, no tombstone from us).
      `CREATE TABLE IF NOT EXISTS ${ks}.processor_instances (
        group_name text, instance text, address text, host text, pid int, started_at timestamp,
        heartbeat_at timestamp, heartbeat_interval_ms int, assigned list<int>, status text,
        processed bigint, events_per_sec double,
        PRIMARY KEY (group_name, instance)) WITH default_time_to_live = 600`,
    ],
  },
  {
    version: 4,
    description: "retention: default_time_to_live per table (docs/retention.md)",
    statements: retentionStatements,
  },
  {
    version: 5,
    description: "the group-by of every processor instance, so the web tier serves the groups it writes",
    statements: (ks) => [`ALTER TABLE ${ks}.processor_instances ADD group_by list<text>`],
  },
  {
    version: 6,
    description: "users: timezone_description, a field of user schema v2 (null for records written by v1)",
    statements: (ks) => [`ALTER TABLE ${ks}.users ADD timezone_description text`],
  },
  {
    version: 7,
    description: "rebuild: checkpoint marks, rebuild jobs and their progress (docs/rebuild.md)",
    statements: (ks) => [
      // Per source partition and minute of watermark, the latest checkpoint's (next_offset, watermark):
      // every record before next_offset has an event time at or below watermark + L, which tells a rebuild
      // where it may start reading. Useless once the topic's retention deleted the records: 30 days at most.
      `CREATE TABLE IF NOT EXISTS ${ks}.processor_checkpoint_marks (
        topic text, kafka_partition int, minute bigint, next_offset bigint, watermark bigint,
        PRIMARY KEY ((topic, kafka_partition), minute))
        WITH CLUSTERING ORDER BY (minute DESC) AND default_time_to_live = 2592000`,
      `CREATE TABLE IF NOT EXISTS ${ks}.rebuild_jobs (
        topic text, job_id text, spec text, range_from bigint, range_to bigint, write_timestamp bigint,
        start_offsets map<int, bigint>, stop_offsets map<int, bigint>, status text, created_at timestamp,
        finished_at timestamp, PRIMARY KEY (topic, job_id))`,
      `CREATE TABLE IF NOT EXISTS ${ks}.rebuild_progress (
        job_id text, kafka_partition int, next_offset bigint, state blob, done boolean, rows_written bigint,
        updated_at timestamp, PRIMARY KEY (job_id, kafka_partition))`,
    ],
  },
  {
    version: 8,
    description:
      "window aggregates: the fields aggregated beside age (AGGREGATE_FIELDS), [count, sum, min, max] by name",
    // Added, not a new table: rows written before it keep their age aggregates and have no extra field.
    statements: (ks) => [`ALTER TABLE ${ks}.window_aggregates ADD fields map<text, frozen<list<double>>>`],
  },
];

// A column another process added between our read of schema_migrations and our ALTER: already done.
const ALREADY_APPLIED =
  /already exists|conflicts with an existing column|Invalid column name .* because it conflicts/i;

/**
 * Creates the keyspace (with `replication`, a CQL map: keyspaceReplication() of the config; SimpleStrategy
 * with factor 1 when not given) and applies the missing migrations. An existing keyspace keeps its
 * replication: changing it is an ALTER KEYSPACE plus a repair, an operator's decision.
 */
export async function migrate(
  client: Client,
  keyspace: string,
  replication = "{'class': 'SimpleStrategy', 'replication_factor': 1}",
  retention?: TableRetention,
): Promise<number> {
  if (!/^[a-z][a-z0-9_]{0,47}$/.test(keyspace)) throw new Error(`bad keyspace name: ${keyspace}`);
  // In a cluster, processes starting together change the schema through different coordinators: one
  // may read a table another node has not learnt of yet. Such a read is retried once the nodes agree.
  for (let attempt = 1; ; attempt++) {
    try {
      const version = await migrateOnce(client, keyspace, replication, retention ?? DEFAULT_RETENTION);
      // A retention changed in the config after migration 4 ran: applied at the next start.
      if (retention) await reconcileRetention(client, keyspace, retention);
      return version;
    } catch (err) {
      if (attempt >= SCHEMA_RACE_ATTEMPTS || !SCHEMA_RACE.test((err as Error).message)) throw err;
      await waitForSchemaAgreement(client);
    }
  }
}

/** What a schema change not yet known to the coordinator, or made twice at once, looks like. */
const SCHEMA_RACE = /does not exist|unconfigured table|doesn't exist|mismatch|schema version/i;
const SCHEMA_RACE_ATTEMPTS = 10;

/** The driver's check, untyped in its declarations; without it, a second's wait lets gossip catch up. */
async function waitForSchemaAgreement(client: Client): Promise<void> {
  const meta = client.metadata as unknown as { checkSchemaAgreement?: () => Promise<boolean> };
  for (let i = 0; i < 20; i++) {
    const agreed = meta.checkSchemaAgreement ? await meta.checkSchemaAgreement().catch(() => false) : false;
    await new Promise((r) => setTimeout(r, agreed ? 200 : 500));
    if (agreed) return;
  }
}

/** Alters only the tables whose TTL differs from the config: an unchanged start changes no schema. */
async function reconcileRetention(
  client: Client,
  keyspace: string,
  retention: TableRetention,
): Promise<void> {
  const current = await tableTtls(client, keyspace);
  const differing = Object.keys(retention).filter(
    (t) => current.get(t) !== retention[t as keyof TableRetention],
  );
  for (const stmt of retentionStatements(keyspace, retention, differing)) await client.execute(stmt);
}

/** default_time_to_live of every table of the keyspace, as Cassandra holds it (system_schema.tables). */
export async function tableTtls(client: Client, keyspace: string): Promise<Map<string, number>> {
  const rs = await client.execute(
    "SELECT table_name, default_time_to_live FROM system_schema.tables WHERE keyspace_name = ?",
    [keyspace],
    { prepare: true },
  );
  return new Map(
    rs.rows.map((r) => [r.get("table_name") as string, r.get("default_time_to_live") as number]),
  );
}

async function migrateOnce(
  client: Client,
  keyspace: string,
  replication: string,
  retention: TableRetention,
): Promise<number> {
  await client.execute(`CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = ${replication}`);
  await client.execute(
    `CREATE TABLE IF NOT EXISTS ${keyspace}.schema_migrations (version int PRIMARY KEY, description text, applied_at timestamp)`,
  );
  const done = await client.execute(`SELECT version FROM ${keyspace}.schema_migrations`);
  const applied = new Set(done.rows.map((r) => r.get("version") as number));
  let current = applied.size ? Math.max(...applied) : 0;
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    for (const stmt of m.statements(keyspace, retention)) {
      await client.execute(stmt).catch((err: Error) => {
        if (!(stmt.startsWith("ALTER TABLE") && ALREADY_APPLIED.test(err.message))) throw err;
      });
    }
    await client.execute(
      `INSERT INTO ${keyspace}.schema_migrations (version, description, applied_at) VALUES (?, ?, toTimestamp(now()))`,
      [m.version, m.description],
      { prepare: true },
    );
    current = m.version;
  }
  return current;
}
