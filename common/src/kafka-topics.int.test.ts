import { describe, expect, it } from "vitest";
import { isolatedConfig } from "../../producer/src/testing/test-config.ts";
import { describeTopicConfigs } from "../../stack/topic-configs.ts";
import { createAdmin, deleteTopics, ensureTopics, pipelineTopics } from "./kafka-topics.ts";

describe("ensureTopics against the real Kafka", () => {
  it("creates the missing pipeline topics with TOPIC_PARTITIONS partitions, once", async () => {
    const config = isolatedConfig("topics", { TOPIC_PARTITIONS: "4" });
    const names = pipelineTopics(config).map((t) => t.topic);
    try {
      expect((await ensureTopics(config)).sort()).toEqual([...names].sort());
      // Again, while the broker may still be propagating the new topics: "already exists" is not an error.
      await ensureTopics(config);
      const admin = createAdmin(config);
      await admin.connect();
      try {
        await expect
          .poll(async () => (await admin.listTopics()).filter((t) => names.includes(t)).length, {
            timeout: 20_000,
          })
          .toBe(4);
        const meta = await admin.fetchTopicMetadata({ topics: names });
        expect(meta.map((m) => m.partitions.length)).toEqual([4, 4, 4, 4]);
        expect(await ensureTopics(config)).toEqual([]);
      } finally {
        await admin.disconnect();
      }
    } finally {
      await deleteTopics(config, names);
    }
  });

  it("creates each topic with its configured retention.ms, the aggregates compacted and deleted", async () => {
    const config = isolatedConfig("retention", {
      TOPIC_PARTITIONS: "1",
      TOPIC_RETENTION_USERS_MS: "600000",
      TOPIC_RETENTION_DLQ_MS: "-1",
      TOPIC_RETENTION_AGGREGATES_MS: "3600000",
    });
    const names = pipelineTopics(config).map((t) => t.topic);
    try {
      await ensureTopics(config);
      const described = await Promise.all(names.map((t) => describeTopicConfigs(config, t)));
      expect(described.map((c) => c["retention.ms"])).toEqual(["600000", "-1", "604800000", "3600000"]);
      expect(described.map((c) => c["cleanup.policy"])).toEqual([
        "delete",
        "delete",
        "delete",
        "compact,delete",
      ]);
    } finally {
      await deleteTopics(config, names);
    }
  }, 120_000);

  it("fails with the bootstrap address when Kafka is unreachable", async () => {
    const config = isolatedConfig("topics_down", { KAFKA_BOOTSTRAP: "127.0.0.1:1" });
    await expect(ensureTopics(config)).rejects.toThrow(/^kafka 127\.0\.0\.1:1: cannot create topics: /);
  });
});
