import { z } from "zod";
import { aggregateFieldsProblem } from "./aggregate-fields.ts";
import { parseSettings } from "./env-settings.ts";
import { DEFAULT_MAX_FUTURE_SKEW_MS } from "./event-time.ts";

// Every setting of the pipeline, read from the environment once and validated here, at the edge.
// Defaults point at the loopback stack of `bun run stack up`; .env.example documents each one.
const int = (def: number) => z.coerce.number().int().nonnegative().default(def);
const positiveInt = (def: number) => z.coerce.number().int().positive().default(def);
const DAY_S = 86_400;
const DAY_MS = DAY_S * 1000;
const retentionMs = (def: number) =>
  z.coerce.number().int().min(-1, "milliseconds, or -1 for no limit").default(def);

/** The Cassandra consistency levels a setting may name (the driver's types.consistencies keys). */
const CONSISTENCY_LEVELS = [
  "ANY",
  "ONE",
  "TWO",
  "THREE",
  "QUORUM",
  "ALL",
  "LOCAL_QUORUM",
  "EACH_QUORUM",
  "LOCAL_ONE",
] as const;
export type ConsistencyLevel = (typeof CONSISTENCY_LEVELS)[number];
const heap = (def: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]*[mg]$/, "a JVM heap size such as 512m or 1g")
    .default(def);
const consistency = z.enum(CONSISTENCY_LEVELS).default("LOCAL_ONE");

/**
 * CASSANDRA_REPLICATION: empty for SimpleStrategy with factor 1 (one node), or "dc:factor[,dc:factor]" for
 * NetworkTopologyStrategy with a factor per data centre (kept as text, so a child's environment is the
 * config as given; cassandra-settings.ts reads it).
 */
const replication = z
  .string()
  .default("")
  .refine(
    (v) =>
      v.trim() === "" ||
      /^\s*[A-Za-z0-9_.-]+\s*:\s*[1-9][0-9]?\s*(,\s*[A-Za-z0-9_.-]+\s*:\s*[1-9][0-9]?\s*)*$/.test(v),
    'a list of dc:factor, e.g. "datacenter1:3" (empty: SimpleStrategy, factor 1)',
  );

export const ConfigSchema = z.object({
  KAFKA_BOOTSTRAP: z.string().default("127.0.0.1:9092"),
  SCHEMA_REGISTRY_URL: z.string().url().default("http://127.0.0.1:8081/apis/ccompat/v7"),
  // Per HTTP request to the registry: an attempt without an answer (connect or response) for this long
  // is abandoned. 0 would mean no timeout at all, so it is refused.
  SCHEMA_REGISTRY_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  CASSANDRA_CONTACT_POINT: z.string().default("127.0.0.1:9042"),
  CASSANDRA_DC: z.string().default("datacenter1"),
  CASSANDRA_REPLICATION: replication,
  // Per table family; LOCAL_QUORUM with replication factor 3 survives one node down with no stale read.
  CASSANDRA_CONSISTENCY_USERS: consistency,
  CASSANDRA_CONSISTENCY_WINDOWS: consistency,
  CASSANDRA_CONSISTENCY_CHECKPOINTS: consistency,
  // Retention (docs/retention.md): a row expires this long after its last write; 0 keeps it for ever.
  // Checkpoints have no setting: they never expire, or a quiet partition would restart from scratch.
  // Runs have no "for ever": a schedule adds a run every few seconds, so the table would only grow.
  CASSANDRA_TTL_USERS_SECONDS: int(30 * DAY_S),
  CASSANDRA_TTL_WINDOWS_SECONDS: int(30 * DAY_S),
  CASSANDRA_TTL_RUNS_SECONDS: z.coerce
    .number()
    .int()
    .positive("seconds; ingestion runs always expire (no 0 for ever)")
    .default(14 * DAY_S),
  CASSANDRA_KEYSPACE: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,47}$/, "a CQL keyspace name")
    .default("streaming"),
  TOPIC_USERS: z.string().default("users_created"),
  TOPIC_DLQ: z.string().default("users_created_dlq"),
  TOPIC_LATE: z.string().default("users_created_late"),
  TOPIC_AGGREGATES: z.string().default("window_aggregates"),
  TOPIC_PARTITIONS: int(6),
  TOPIC_REPLICATION_FACTOR: positiveInt(1),
  // Replicas that must have a write before the producer's acks=all succeeds (topic min.insync.replicas).
  TOPIC_MIN_INSYNC_REPLICAS: positiveInt(1),
  // Topic retention.ms at creation (-1: for ever). The users topic's is how far back a rebuild reaches.
  TOPIC_RETENTION_USERS_MS: retentionMs(7 * DAY_MS),
  TOPIC_RETENTION_DLQ_MS: retentionMs(14 * DAY_MS),
  TOPIC_RETENTION_LATE_MS: retentionMs(7 * DAY_MS),
  TOPIC_RETENTION_AGGREGATES_MS: retentionMs(DAY_MS),
  CONSUMER_GROUP: z.string().default("rt-processor"),
  WINDOW_SIZE_MS: int(10_000),
  WINDOW_SLIDE_MS: int(0),
  ALLOWED_LATENESS_MS: int(5_000),
  IDLE_TIMEOUT_MS: int(3_000),
  // How far ahead of the wall clock an event_time may be (Kafka's log.message.timestamp.after.max.ms).
  EVENT_TIME_MAX_FUTURE_SKEW_MS: int(DEFAULT_MAX_FUTURE_SKEW_MS),
  GROUP_BY: z.string().default("nat,gender"),
  // Numeric fields aggregated per window, age first (common/src/aggregate-fields.ts): e.g. age,registeredYears.
  AGGREGATE_FIELDS: z
    .string()
    .default("age")
    .superRefine((v, ctx) => {
      const problem = aggregateFieldsProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  STORE_USERS: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  RANDOMUSER_URL: z.string().url().default("https://randomuser.me/api/"),
  RANDOMUSER_RESULTS: int(50),
  // The longest Retry-After the api source waits; a longer one fails the run and pushes back the next.
  RANDOMUSER_MAX_RETRY_AFTER_MS: int(300_000),
  PRODUCER_INTERVAL_MS: int(5_000),
  // The producer's Prometheus endpoint (GET /metrics); 0 turns it off.
  PRODUCER_METRICS_PORT: int(9474),
  PRODUCER_METRICS_HOST: z.string().default("127.0.0.1"),
  SYNTHETIC_RATE: int(200),
  // Unset (or empty): every run draws fresh event ids, so a restart never repeats one. Set: reproducible runs.
  SYNTHETIC_SEED: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number().int().nonnegative().optional(),
  ),
  FIXTURE_MAX_LINE_BYTES: z.coerce.number().int().positive().default(1_048_576),
  WEB_PORT: int(3000),
  WEB_HOST: z.string().default("127.0.0.1"),
  WEB_ADMIN_TOKEN: z.string().default(""),
  PROCESSOR_METRICS_PORT: int(9464),
  // /status and /metrics tell anyone who can reach them the pipeline's state: loopback unless asked.
  PROCESSOR_METRICS_HOST: z.string().min(1).default("127.0.0.1"),
  PROCESSOR_STATUS_URL: z.string().url().default("http://127.0.0.1:9464"),
  STACK_HOME: z.string().min(1).default(".stack"),
  // 1: the single-node stack; 3 (stack/cluster.env): brokers and Cassandra nodes at the addresses
  // KAFKA_BOOTSTRAP and CASSANDRA_CONTACT_POINT list, one registry at SCHEMA_REGISTRY_URL.
  STACK_NODES: z.coerce.number().int().min(1).max(9).default(1),
  STACK_KAFKA_CONTROLLER_PORT: positiveInt(9093),
  STACK_CASSANDRA_STORAGE_PORT: positiveInt(7000),
  // JMX listens on loopback 127.0.0.1 whatever the node's address: node i takes this port + 100 i.
  STACK_CASSANDRA_JMX_PORT: positiveInt(7199),
  STACK_KAFKA_HEAP: heap("512m"),
  STACK_CASSANDRA_HEAP: heap("1g"),
  STACK_READY_TIMEOUT_MS: z.coerce.number().int().positive().default(240_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Config = z.infer<typeof ConfigSchema>;

/** The fields GROUP_BY names, in order; the pipeline also aggregates every event under "all". */
export function groupByFields(config: Pick<Config, "GROUP_BY">): string[] {
  return config.GROUP_BY.split(",")
    .map((g) => g.trim())
    .filter((g) => g !== "");
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return parseSettings(ConfigSchema, env, "configuration");
}
