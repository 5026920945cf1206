import { KafkaJS } from "@confluentinc/kafka-javascript";
import type { Config } from "./config.ts";

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  configEntries?: { name: string; value: string }[];
}

/** The topics of docs/internal-contracts.md, named and sized from the config. */
export function pipelineTopics(config: Config): TopicSpec[] {
  const numPartitions = Math.max(1, config.TOPIC_PARTITIONS);
  return [
    { topic: config.TOPIC_USERS, numPartitions },
    { topic: config.TOPIC_DLQ, numPartitions },
    { topic: config.TOPIC_LATE, numPartitions },
    // Compacted: the web tier rebuilds the latest state of every window row from it.
    {
      topic: config.TOPIC_AGGREGATES,
      numPartitions,
      configEntries: [{ name: "cleanup.policy", value: "compact" }],
    },
  ];
}

export function createAdmin(config: Config): KafkaJS.Admin {
  return new KafkaJS.Kafka({
    "bootstrap.servers": config.KAFKA_BOOTSTRAP,
    "client.id": "rt-admin",
    log_level: 3,
  }).admin();
}

/**
 * Creates the missing topics (single-node stack: replication factor 1) and leaves existing ones alone.
 * Returns the names it created.
 */
export async function ensureTopics(
  config: Config,
  topics: TopicSpec[] = pipelineTopics(config),
): Promise<string[]> {
  const admin = createAdmin(config);
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return [];
    await admin.createTopics({
      timeout: 30_000,
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.numPartitions,
        replicationFactor: 1,
        ...(t.configEntries ? { configEntries: t.configEntries } : {}),
      })),
    });
    return missing.map((t) => t.topic);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes topics, ignoring the ones already gone; tests use it to clean up after themselves. */
export async function deleteTopics(config: Config, topics: string[]): Promise<void> {
  const admin = createAdmin(config);
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}
