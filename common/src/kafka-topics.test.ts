import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { pipelineTopics } from "./kafka-topics.ts";

describe("pipelineTopics", () => {
  it("names the four topics from the config, aggregates compacted", () => {
    const config = loadConfig({ TOPIC_USERS: "u", TOPIC_PARTITIONS: "5" });
    expect(pipelineTopics(config)).toEqual([
      { topic: "u", numPartitions: 5 },
      { topic: "users_created_dlq", numPartitions: 5 },
      { topic: "users_created_late", numPartitions: 5 },
      {
        topic: "window_aggregates",
        numPartitions: 5,
        configEntries: [{ name: "cleanup.policy", value: "compact" }],
      },
    ]);
  });

  it("never asks for zero partitions", () => {
    expect(pipelineTopics(loadConfig({ TOPIC_PARTITIONS: "0" }))[0]?.numPartitions).toBe(1);
  });
});
