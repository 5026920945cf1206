import { z } from "zod";
import { parseSettings } from "../../common/src/env-settings.ts";
import { DEFAULT_DLQ_MAX_PAYLOAD_BYTES } from "./decode-dead-letter.ts";

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

/**
 * Processor tuning beyond the shared config, from PROCESSOR_* environment variables (validated here) or
 * passed to startProcessor() directly by tests and benchmarks.
 */
const ProcessorOptionsSchema = z.object({
  /**
   * Messages per consume call. Small enough that a batch's garbage (the binding's message objects and
   * buffers, the decoded records), with the next batch pre-fetched beside it, dies in V8's young
   * generation: at 5 000 it outlived it and was collected by full GCs (bench: ~2× events per CPU-second).
   */
  PROCESSOR_BATCH_SIZE: int(500, 1),
  /** How often open partitions are checkpointed (and Kafka offsets committed). */
  PROCESSOR_CHECKPOINT_INTERVAL_MS: int(2_000, 10),
  /**
   * How often changed window rows go to the aggregates topic (the live view's cadence). A change waits up
   * to this long before a browser can see it: 100 ms held produce → browser p99 over 100 ms; 25 ms cost no
   * measurable throughput (bench).
   */
  PROCESSOR_PUBLISH_INTERVAL_MS: int(25, 10),
  /** How often changed, still open window rows are written to Cassandra. */
  PROCESSOR_PARTIAL_WRITE_INTERVAL_MS: int(1_000, 10),
  /**
   * Cassandra writes executing at once (users, window rows). 64 with PROCESSOR_USERS_PER_BATCH=10 stored
   * 8 477 users/s against 5 682 with 8 × 100 in one comparison (load 15), but in a later full bench run the
   * processor with them stored 5 057 users/s (56% of the best bare loader) and read aggregates-only at 66%
   * of the bare read: not the default until a run shows both holding.
   */
  PROCESSOR_SINK_CONCURRENCY: int(8, 1),
  /**
   * Users per unlogged batch (two statements, ~0.5 KB a user); a batch of n users spans 2 × n partitions.
   * A batch over Cassandra's batch_size_fail_threshold is split automatically.
   */
  PROCESSOR_USERS_PER_BATCH: int(100, 1),
  /** Window rows per single-partition batch. */
  PROCESSOR_WINDOW_ROWS_PER_BATCH: int(50, 1),
  /** Rows waiting for Cassandra above which consumption pauses; it resumes below half of it. */
  PROCESSOR_MAX_PENDING_WRITES: int(20_000, 1),
  /** Per-attempt Cassandra timeout; attempts repeat with backoff for as long as it takes. */
  PROCESSOR_WRITE_TIMEOUT_MS: int(5_000, 100),
  PROCESSOR_MAX_BACKOFF_MS: int(5_000, 10),
  /**
   * Bound of a graceful stop: after it the process exits non-zero without the last checkpoint. A revocation
   * waits at most half of it for its checkpoint (revocation.ts).
   */
  PROCESSOR_SHUTDOWN_TIMEOUT_MS: int(15_000, 100),
  /** librdkafka pre-fetch per partition, KiB. */
  PROCESSOR_FETCH_QUEUE_KB: int(2_048, 64),
  /**
   * How long librdkafka leaves a partition whose pre-fetch queue is full before fetching it again (its
   * fetch.queue.backoff.ms, 1000 by default: with a small queue, the partition then idles most of the time).
   */
  PROCESSOR_FETCH_QUEUE_BACKOFF_MS: int(20, 0),
  /**
   * Partition lag (messages) above which the input counts as catching up: the core's processing-time
   * clock stands still, so no partition is declared idle while records are still waiting in Kafka.
   */
  PROCESSOR_CATCH_UP_LAG: int(500, 0),
  /**
   * Largest original value a dead letter carries; a longer one keeps its first bytes and says so (the
   * letter, base64 in JSON, must stay under the producer's 1 000 000-byte message limit).
   */
  PROCESSOR_DLQ_MAX_PAYLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(700_000)
    .default(DEFAULT_DLQ_MAX_PAYLOAD_BYTES),
  /**
   * How long a schema id the registry answers 404 for is asked again (the batch waits) before the records
   * that use it are dead-lettered: a registry follower behind its leader, a registry being restored.
   */
  PROCESSOR_SCHEMA_NOT_FOUND_RETRY_MS: int(10_000, 0),
  /** How long, after that, such an id is dead-lettered without asking; then the registry is asked again. */
  PROCESSOR_SCHEMA_NOT_FOUND_CACHE_MS: int(60_000, 0),
  /**
   * /healthz answers 503 once the processing loop has not turned, or every attempt to reach the schema
   * registry or Cassandra has failed, for this long (healthy again once they answer).
   */
  PROCESSOR_UNHEALTHY_AFTER_MS: int(30_000, 100),
  /** How long the processor keeps trying to reach Cassandra at start before it exits 1. */
  PROCESSOR_START_TIMEOUT_MS: int(60_000, 0),
  /**
   * Distinct group-by values (over all groups, "*" included) one partition may hold in its open windows; an
   * event bringing one more is dead-lettered (refused). A value no open window holds is released, so the
   * bound is on the open windows, not on the stream's history.
   */
  PROCESSOR_MAX_KEYS_PER_PARTITION: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 30)
    .default(10_000),
  /** Identifies this instance in logs, /status and the Kafka client id. */
  PROCESSOR_INSTANCE: z.string().min(1).optional(),
  /**
   * Processes `bun run processor` starts in the consumer group (--instances overrides it); each serves
   * /status on PROCESSOR_METRICS_PORT plus its index (all on free ports when that is 0).
   */
  PROCESSOR_INSTANCES: int(1, 1),
  /** How often the instance writes its heartbeat to the instance registry (processor_instances). */
  PROCESSOR_HEARTBEAT_INTERVAL_MS: int(2_000, 100),
  /**
   * The host others reach this instance's /status at, as registered (a pod IP on Kubernetes); unset: the
   * loopback address.
   */
  PROCESSOR_ADVERTISED_HOST: z.string().min(1).default("127.0.0.1"),
});

export type ProcessorOptions = z.infer<typeof ProcessorOptionsSchema>;

export function loadProcessorOptions(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<ProcessorOptions> = {},
): ProcessorOptions {
  return { ...parseSettings(ProcessorOptionsSchema, env, "processor options"), ...overrides };
}
