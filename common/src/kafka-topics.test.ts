import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { brokerList, pipelineTopics } from "./kafka-topics.ts";

describe("pipelineTopics", () => {
  it("names the four topics from the config, aggregates compacted", () => {
    const config = loadConfig({ TOPIC_USERS: "u", TOPIC_PARTITIONS: "5" });
    const isr = { name: "min.insync.replicas", value: "1" };
    expect(pipelineTopics(config)).toEqual([
      { topic: "u", numPartitions: 5, replicationFactor: 1, configEntries: [isr] },
      { topic: "users_created_dlq", numPartitions: 5, replicationFactor: 1, configEntries: [isr] },
      { topic: "users_created_late", numPartitions: 5, replicationFactor: 1, configEntries: [isr] },
      {
        topic: "window_aggregates",
        numPartitions: 5,
        replicationFactor: 1,
        configEntries: [{ name: "cleanup.policy", value: "compact" }, isr],
      },
    ]);
  });

  it("replicates every topic as the cluster profile says", () => {
    const config = loadConfig({ TOPIC_REPLICATION_FACTOR: "3", TOPIC_MIN_INSYNC_REPLICAS: "2" });
    for (const t of pipelineTopics(config)) {
      expect(t.replicationFactor).toBe(3);
      expect(t.configEntries).toContainEqual({ name: "min.insync.replicas", value: "2" });
    }
  });

  it("refuses a min.insync.replicas no write could meet", () => {
    const config = loadConfig({ TOPIC_REPLICATION_FACTOR: "1", TOPIC_MIN_INSYNC_REPLICAS: "2" });
    expect(() => pipelineTopics(config)).toThrow(/exceeds TOPIC_REPLICATION_FACTOR/);
  });

  it("never asks for zero partitions", () => {
    expect(pipelineTopics(loadConfig({ TOPIC_PARTITIONS: "0" }))[0]?.numPartitions).toBe(1);
  });
});

describe("brokerList", () => {
  it("splits a cluster's bootstrap list", () => {
    expect(brokerList({ KAFKA_BOOTSTRAP: "127.0.0.2:9092, 127.0.0.3:9092," })).toEqual([
      "127.0.0.2:9092",
      "127.0.0.3:9092",
    ]);
  });
});
