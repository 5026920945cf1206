import { KafkaJS } from "@confluentinc/kafka-javascript";
import type { Config } from "./config.ts";

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
  return [
    {
      topic: config.TOPIC_USERS,
      numPartitions,
      replicationFactor,
      configEntries: [minIsr, retention(config.TOPIC_RETENTION_USERS_MS)],
    },
    {
      topic: config.TOPIC_DLQ,
      numPartitions,
      replicationFactor,
      configEntries: [minIsr, retention(config.TOPIC_RETENTION_DLQ_MS)],
    },
    {
      topic: config.TOPIC_LATE,
      numPartitions,
      replicationFactor,
      configEntries: [minIsr, retention(config.TOPIC_RETENTION_LATE_MS)],
    },
    // Compacted: the web tier rebuilds the latest state of every window row from it. Also deleted past
    // its retention: a window's last update would otherwise stay for ever (Cassandra holds the history).
    {
      topic: config.TOPIC_AGGREGATES,
      numPartitions,
      replicationFactor,
      configEntries: [
        { name: "cleanup.policy", value: "compact,delete" },
        minIsr,
        retention(config.TOPIC_RETENTION_AGGREGATES_MS),
      ],
    },
  ];
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
 * Creates the missing topics (replication factor, min.insync.replicas and retention.ms from the config)
 * and leaves existing ones alone: changing a live topic's retention is an operator's kafka-configs call.
 * Returns the names it created.
 */
export async function ensureTopics(
  config: Config,
  topics: TopicSpec[] = pipelineTopics(config),
): Promise<string[]> {
  return withAdmin(config, "create topics", async (admin) => {
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
}

/** Deletes topics, ignoring the ones already gone; tests use it to clean up after themselves. */
export async function deleteTopics(config: Config, topics: string[]): Promise<void> {
  await withAdmin(config, "delete topics", async (admin) => {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 30_000 });
  });
}
