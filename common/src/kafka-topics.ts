import { KafkaJS } from "@confluentinc/kafka-javascript";
import type { Config } from "./config.ts";
import { PermanentError, retry } from "./retry.ts";
import { reconcileTopicConfigs, type TopicConfigChange } from "./topic-configs.ts";

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** Defaults to 1 (the single-node stack). */
  replicationFactor?: number;
  configEntries?: { name: string; value: string }[];
}

/** The topics of docs/internal-contracts.md, named, sized and replicated from the config. */
export function pipelineTopics(config: Config): TopicSpec[] {
  const numPartitions = Math.max(1, config.TOPIC_PARTITIONS);
  const replicationFactor = config.TOPIC_REPLICATION_FACTOR;
  if (config.TOPIC_MIN_INSYNC_REPLICAS > replicationFactor) {
    throw new Error(
      `TOPIC_MIN_INSYNC_REPLICAS (${config.TOPIC_MIN_INSYNC_REPLICAS}) exceeds TOPIC_REPLICATION_FACTOR (${replicationFactor}): every acks=all write would fail`,
    );
  }
  const minIsr = { name: "min.insync.replicas", value: String(config.TOPIC_MIN_INSYNC_REPLICAS) };
  const retention = (ms: number) => ({ name: "retention.ms", value: String(ms) });
  // Named on every topic so that start-up reconciles it too (a topic someone switched to compact).
  const deleted = { name: "cleanup.policy", value: "delete" };
  return [
    {
      topic: config.TOPIC_USERS,
      numPartitions,
      replicationFactor,
      configEntries: [deleted, minIsr, retention(config.TOPIC_RETENTION_USERS_MS)],
    },
    {
      topic: config.TOPIC_DLQ,
      numPartitions,
      replicationFactor,
      configEntries: [deleted, minIsr, retention(config.TOPIC_RETENTION_DLQ_MS)],
    },
    {
      topic: config.TOPIC_LATE,
      numPartitions,
      replicationFactor,
      configEntries: [deleted, minIsr, retention(config.TOPIC_RETENTION_LATE_MS)],
    },
    // Compacted: the web tier rebuilds the latest state of every window row from it. Also deleted past
    // its retention: a window's last update would otherwise stay for ever (Cassandra holds the history).
    // Deletion only drops closed segments, and a segment closes after segment.ms (7 days by default):
    // rolled at a quarter of the retention, a window is gone at most 1.25 × the retention after its last
    // update (docs/retention.md).
    {
      topic: config.TOPIC_AGGREGATES,
      numPartitions,
      replicationFactor,
      configEntries: [
        { name: "cleanup.policy", value: "compact,delete" },
        minIsr,
        retention(config.TOPIC_RETENTION_AGGREGATES_MS),
        ...segmentRoll(config.TOPIC_RETENTION_AGGREGATES_MS),
      ],
    },
  ];
}

/** segment.ms for a deleted topic of this retention: a quarter of it, at least a minute; none for ever. */
function segmentRoll(retentionMs: number): { name: string; value: string }[] {
  if (retentionMs < 0) return [];
  return [{ name: "segment.ms", value: String(Math.max(60_000, Math.floor(retentionMs / 4))) }];
}

/** KAFKA_BOOTSTRAP as the list of brokers it names (a cluster lists several, comma-separated). */
export function brokerList(config: Pick<Config, "KAFKA_BOOTSTRAP">): string[] {
  return config.KAFKA_BOOTSTRAP.split(",")
    .map((b) => b.trim())
    .filter((b) => b !== "");
}

export function createAdmin(config: Config): KafkaJS.Admin {
  // Connection failures surface as the errors thrown below, with the bootstrap address; the client's own
  // console logging would only repeat them.
  return new KafkaJS.Kafka({
    kafkaJS: { brokers: brokerList(config), clientId: "rt-admin", logLevel: KafkaJS.logLevel.NOTHING },
  }).admin();
}

async function withAdmin<T>(
  config: Config,
  what: string,
  use: (admin: KafkaJS.Admin) => Promise<T>,
): Promise<T> {
  const admin = createAdmin(config);
  try {
    await admin.connect();
    return await use(admin);
  } catch (err) {
    throw new Error(`kafka ${config.KAFKA_BOOTSTRAP}: cannot ${what}: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Creates the missing topics (replication factor, min.insync.replicas, cleanup.policy, retention.ms
 * from the config) and reconciles the configs of the existing ones with the settings
 * (reconcileTopicConfigs: a changed TOPIC_RETENTION_* applies at the next start; partitions and
 * replication are left alone). Returns the names it created; `onChange` hears each config altered.
 */
export async function ensureTopics(
  config: Config,
  topics: TopicSpec[] = pipelineTopics(config),
  onChange: (change: TopicConfigChange) => void = () => undefined,
): Promise<string[]> {
  const created = await withAdmin(config, "create topics", async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return [];
    // Another process may create the same topics meanwhile: the client treats "already exists" as done.
    await admin.createTopics({
      timeout: 30_000,
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor ?? 1,
        ...(t.configEntries ? { configEntries: t.configEntries } : {}),
      })),
    });
    return missing.map((t) => t.topic);
  });
  const present = topics.filter((t) => !created.includes(t.topic));
  try {
    // Topics created a moment ago (another process, a fresh cluster) may not be on every broker yet:
    // "does not host this topic-partition" is retriable and passes once the metadata has spread.
    const changes = await retry(() => reconcileTopicConfigs(config, present), {
      what: "reconcile topic configs",
      backoff: { baseMs: 250, maxMs: 2_000 },
      giveUpAfterMs: 30_000,
      permanent: (err) => ((err as { retriable?: unknown }).retriable === true ? null : "not retriable"),
      onRetry: () => undefined,
    });
    for (const change of changes) onChange(change);
  } catch (failure) {
    const err = failure instanceof PermanentError ? failure.cause : failure;
    throw new Error(
      `kafka ${config.KAFKA_BOOTSTRAP}: cannot reconcile topic configs: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return created;
}

/** Deletes topics, ignoring the ones already gone; tests use it to clean up after themselves. */
export async function deleteTopics(config: Config, topics: string[]): Promise<void> {
  await withAdmin(config, "delete topics", async (admin) => {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 30_000 });
  });
}
