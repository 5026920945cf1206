import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../common/src/config.ts";
import { openPipeline } from "./pipeline.ts";
import { replayFile } from "./replay.ts";
import { cleanupIsolated } from "./testing/cleanup.ts";
import { isolatedConfig } from "./testing/test-config.ts";
import { readTopic } from "./testing/topic-reader.ts";

const happy = new URL("../../fixtures/happy.ndjson", import.meta.url).pathname;

let config: Config | null = null;
afterEach(async () => {
  if (config) await cleanupIsolated(config);
  config = null;
});

describe("the Kafka producer against the real broker", () => {
  it("treats a full local queue as back-pressure: replays sharing a tiny queue lose nothing", async () => {
    config = isolatedConfig("queue_full");
    const pipeline = await openPipeline(config, { tuning: { queueMessages: 20, lingerMs: 50 } });
    try {
      // Each replay keeps up to 10 records in flight (half the queue): three of them overflow it.
      const stats = await Promise.all([1, 2, 3].map(() => replayFile(happy, config!, { pipeline })));
      expect(stats.map((s) => [s.sent, s.failed])).toEqual([
        [200, 0],
        [200, 0],
        [200, 0],
      ]);
    } finally {
      await pipeline.close();
    }
    expect(await readTopic(config, config.TOPIC_USERS, 600)).toHaveLength(600);
  });
});
