import { describe, expect, it } from "vitest";
import { isolatedConfig } from "../../producer/src/testing/test-config.ts";
import { describeTopicConfigs } from "../../stack/topic-configs.ts";
import { createAdmin, deleteTopics, ensureTopics, pipelineTopics, type TopicSpec } from "./kafka-topics.ts";
import { describeTopics, type TopicConfigChange } from "./topic-configs.ts";

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

  it("reconciles the topics that already exist with the settings at the next start, keeping other configs", async () => {
    const config = isolatedConfig("reconcile", { TOPIC_PARTITIONS: "1" });
    const names = pipelineTopics(config).map((t) => t.topic);
    // As an older release (or an operator) left them: the aggregates only compacted, other retentions,
    // and a config of the topic's own the settings do not name.
    const old: TopicSpec[] = pipelineTopics(config).map((t, i) => ({
      ...t,
      configEntries: [
        { name: "retention.ms", value: String(60_000 * (i + 1)) },
        { name: "cleanup.policy", value: i === 3 ? "compact" : "delete" },
        { name: "max.message.bytes", value: "2000000" },
      ],
    }));
    try {
      expect((await ensureTopics(config, old)).sort()).toEqual([...names].sort());
      const changes: TopicConfigChange[] = [];
      expect(await ensureTopics(config, undefined, (c) => changes.push(c))).toEqual([]);
      expect(changes.filter((c) => c.name === "retention.ms").map((c) => [c.from, c.to])).toEqual([
        ["60000", "604800000"],
        ["120000", "1209600000"],
        ["180000", "604800000"],
        ["240000", "86400000"],
      ]);
      expect(changes.find((c) => c.name === "cleanup.policy")).toEqual({
        topic: config.TOPIC_AGGREGATES,
        name: "cleanup.policy",
        from: "compact",
        to: "compact,delete",
      });
      // Read back from the broker (DescribeConfigs; the JVM tool of the test above is too slow for four).
      await expect
        .poll(async () => (await describeTopics(config, [config.TOPIC_AGGREGATES]))[0]?.["cleanup.policy"], {
          timeout: 20_000,
        })
        .toBe("compact,delete");
      const described = await describeTopics(config, names);
      expect(described.map((c) => c["retention.ms"])).toEqual([
        "604800000",
        "1209600000",
        "604800000",
        "86400000",
      ]);
      expect(described.map((c) => c["cleanup.policy"])).toEqual([
        "delete",
        "delete",
        "delete",
        "compact,delete",
      ]);
      expect(described[3]?.["segment.ms"]).toBe("21600000");
      // AlterConfigs replaces a topic's own configs: the one the settings do not name was sent back.
      expect(described.map((c) => c["max.message.bytes"])).toEqual([
        "2000000",
        "2000000",
        "2000000",
        "2000000",
      ]);
      // Reconciled: the next start changes nothing.
      const again: TopicConfigChange[] = [];
      await ensureTopics(config, undefined, (c) => again.push(c));
      expect(again).toEqual([]);
    } finally {
      await deleteTopics(config, names);
    }
  }, 120_000);

  it("fails with the bootstrap address when Kafka is unreachable", async () => {
    const config = isolatedConfig("topics_down", { KAFKA_BOOTSTRAP: "127.0.0.1:1" });
    await expect(ensureTopics(config)).rejects.toThrow(/^kafka 127\.0\.0\.1:1: cannot create topics: /);
  });
});
