import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { brokerList, pipelineTopics } from "./kafka-topics.ts";

describe("pipelineTopics", () => {
  it("names the four topics from the config, each with its retention, aggregates compacted and deleted", () => {
    const config = loadConfig({ TOPIC_USERS: "u", TOPIC_PARTITIONS: "5" });
    const isr = { name: "min.insync.replicas", value: "1" };
    const days = (d: number) => ({ name: "retention.ms", value: String(d * 86_400_000) });
    const del = { name: "cleanup.policy", value: "delete" };
    expect(pipelineTopics(config)).toEqual([
      { topic: "u", numPartitions: 5, replicationFactor: 1, configEntries: [del, isr, days(7)] },
      {
        topic: "users_created_dlq",
        numPartitions: 5,
        replicationFactor: 1,
        configEntries: [del, isr, days(14)],
      },
      {
        topic: "users_created_late",
        numPartitions: 5,
        replicationFactor: 1,
        configEntries: [del, isr, days(7)],
      },
      {
        topic: "window_aggregates",
        numPartitions: 5,
        replicationFactor: 1,
        // Segments roll at a quarter of the retention, so deletion reaches the newest ones too.
        configEntries: [
          { name: "cleanup.policy", value: "compact,delete" },
          isr,
          days(1),
          { name: "segment.ms", value: String(86_400_000 / 4) },
        ],
      },
    ]);
  });

  it("takes each topic's retention from its setting, -1 for no limit", () => {
    const config = loadConfig({ TOPIC_RETENTION_USERS_MS: "-1", TOPIC_RETENTION_AGGREGATES_MS: "3600000" });
    const retention = pipelineTopics(config).map(
      (t) => t.configEntries?.find((e) => e.name === "retention.ms")?.value,
    );
    expect(retention).toEqual(["-1", "1209600000", "604800000", "3600000"]);
    expect(() => loadConfig({ TOPIC_RETENTION_DLQ_MS: "-2" })).toThrow(/TOPIC_RETENTION_DLQ_MS/);
  });

  it("rolls the aggregates' segments at a quarter of the retention, at least a minute, never when kept for ever", () => {
    const roll = (ms: string) =>
      pipelineTopics(loadConfig({ TOPIC_RETENTION_AGGREGATES_MS: ms }))[3]?.configEntries?.find(
        (e) => e.name === "segment.ms",
      )?.value;
    expect([roll("3600000"), roll("100000"), roll("-1")]).toEqual(["900000", "60000", undefined]);
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
