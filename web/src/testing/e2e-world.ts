import { randomBytes } from "node:crypto";
import { KafkaJS } from "@confluentinc/kafka-javascript";
import { Client } from "cassandra-driver";
import { deleteTopics } from "../../../common/src/kafka-topics.ts";
import { loadWebConfig, type WebConfig } from "../web-config.ts";
import type { WindowRow } from "../window-types.ts";

export interface E2eWorld {
  cfg: WebConfig;
  producer: KafkaJS.Producer;
  cassandra: Client;
  /** Sends rows to the aggregates topic as the processor does, each to its own partition (producer connected). */
  publish(rows: readonly WindowRow[]): Promise<void>;
  /** Disconnects the producer and drops the test's topics and keyspace. */
  dispose(): Promise<void>;
}

/**
 * A browser test's own keyspace, topics and group on the shared stack (names `<prefix>_…_<run>`), the web
 * config over them with no processor to ask, and the clients that seed them.
 */
export function e2eWorld(prefix: string, partitions: number): E2eWorld {
  const run = randomBytes(4).toString("hex");
  const cfg = loadWebConfig({
    ...process.env,
    WEB_PORT: "0",
    CASSANDRA_KEYSPACE: `${prefix}_${run}`,
    TOPIC_USERS: `${prefix}_users_${run}`,
    TOPIC_DLQ: `${prefix}_dlq_${run}`,
    TOPIC_LATE: `${prefix}_late_${run}`,
    TOPIC_AGGREGATES: `${prefix}_aggregates_${run}`,
    TOPIC_PARTITIONS: String(partitions),
    CONSUMER_GROUP: `${prefix}_group_${run}`,
    PROCESSOR_STATUS_URL: "http://127.0.0.1:9",
    LOG_LEVEL: "warn",
  });
  const kafka = new KafkaJS.Kafka({
    kafkaJS: { brokers: [cfg.KAFKA_BOOTSTRAP], logLevel: KafkaJS.logLevel.ERROR },
  });
  const producer = kafka.producer();
  const topics = [cfg.TOPIC_USERS, cfg.TOPIC_DLQ, cfg.TOPIC_LATE, cfg.TOPIC_AGGREGATES];
  const cassandra = new Client({
    contactPoints: [cfg.CASSANDRA_CONTACT_POINT],
    localDataCenter: cfg.CASSANDRA_DC,
    // A shared, busy single node answers DDL and wide reads slowly; wait rather than fail.
    socketOptions: { connectTimeout: 15_000, readTimeout: 30_000 },
  });
  return {
    cfg,
    producer,
    cassandra,
    publish: async (rows) => {
      await producer.send({
        topic: cfg.TOPIC_AGGREGATES,
        messages: rows.map((r) => ({
          key: `${r.group}|${r.key}|${r.windowStart}|${r.partition}`,
          partition: r.partition,
          value: JSON.stringify({ ...r, watermark: r.windowEnd, emittedAt: Date.now() }),
        })),
      });
    },
    dispose: async () => {
      await producer.disconnect();
      await deleteTopics(cfg, topics);
      await cassandra.execute(`DROP KEYSPACE IF EXISTS ${cfg.CASSANDRA_KEYSPACE}`);
      await cassandra.shutdown();
    },
  };
}
