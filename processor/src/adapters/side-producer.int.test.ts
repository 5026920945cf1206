import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../common/src/config.ts";
import { deleteTopics, ensureTopics } from "../../../common/src/kafka-topics.ts";
import { readTopic, uniqueConfig } from "../testing/harness.ts";
import { SideProducer } from "./side-producer.ts";

const log = pino({ level: "silent" });

// The late / dead-letter output against the real broker: a full local queue is waited out (nothing lost),
// a message the client refuses for good stops the processor through onFatal, and a backlog of live updates
// cannot take the tracked sends' room.
describe("SideProducer (real Kafka)", () => {
  let config: Config;

  beforeAll(async () => {
    config = uniqueConfig("side", { TOPIC_PARTITIONS: "1" });
    await ensureTopics(config);
  });

  afterAll(async () => {
    await deleteTopics(config, [
      config.TOPIC_DLQ,
      config.TOPIC_LATE,
      config.TOPIC_AGGREGATES,
      config.TOPIC_USERS,
    ]);
  });

  it("waits out a full queue and delivers every tracked message", async () => {
    const fatal: Error[] = [];
    const side = new SideProducer(config, log, {
      clientId: "side-test-full",
      onFatal: (e) => fatal.push(e),
      trackedQueueMessages: 3,
    });
    await side.connect();
    try {
      for (let i = 0; i < 200; i++)
        side.sendTracked(config.TOPIC_LATE, `k${i}`, Buffer.from(`v${i}`), { i: String(i) }, 0);
      await side.barrier();
      expect(side.queueFullRetries()).toBeGreaterThan(0);
      expect(fatal).toEqual([]);
    } finally {
      await side.close();
    }
    const got = await readTopic(config, config.TOPIC_LATE, 200);
    expect(new Set(got.map((m) => m.key))).toEqual(new Set(Array.from({ length: 200 }, (_, i) => `k${i}`)));
  });

  it("reports a message refused for good, and no barrier passes it", async () => {
    const fatal: Error[] = [];
    const side = new SideProducer(config, log, { clientId: "side-test-big", onFatal: (e) => fatal.push(e) });
    await side.connect();
    try {
      side.sendTracked(config.TOPIC_DLQ, "big", Buffer.alloc(2_000_000, 1), {}, 0);
      await expect(side.barrier()).rejects.toThrow(/2000000 bytes\) cannot be delivered/);
      expect(fatal).toHaveLength(1);
      // Later sends may well succeed; the failure still holds every later checkpoint back.
      side.sendTracked(config.TOPIC_DLQ, "small", Buffer.from("ok"), {}, 0);
      await expect(side.barrier()).rejects.toThrow(/cannot be delivered/);
      expect(fatal).toHaveLength(1);
    } finally {
      await side.close();
    }
  });

  it("drops live updates beyond their own bound without delaying tracked sends", async () => {
    const fatal: Error[] = [];
    const side = new SideProducer(config, log, {
      clientId: "side-test-live",
      onFatal: (e) => fatal.push(e),
      liveQueueMessages: 10,
    });
    await side.connect();
    try {
      for (let i = 0; i < 50; i++) {
        side.sendUntracked(
          config.TOPIC_AGGREGATES,
          Array.from({ length: 100 }, (_, j) => ({ key: `w${j}`, value: `{"n":${i}}` })),
        );
      }
      side.sendTracked(config.TOPIC_DLQ, "letter", Buffer.from("{}"), {}, 0);
      await side.barrier();
      await new Promise((r) => setTimeout(r, 200));
      expect(side.liveUpdatesDropped()).toBeGreaterThan(0);
      expect(fatal).toEqual([]);
    } finally {
      await side.close();
    }
  });

  it("reads back the highest source offset a partition holds for its source partition, past other letters", async () => {
    const side = new SideProducer(config, log, { clientId: "side-test-read-back", onFatal: () => undefined });
    await side.connect();
    try {
      const from = (offset: number) => ({ source_partition: "0", source_offset: String(offset) });
      side.sendTracked(config.TOPIC_LATE, "a", Buffer.from("a"), from(7), 0);
      side.sendTracked(config.TOPIC_LATE, "b", Buffer.from("b"), from(9), 0);
      // Letters of other writers (the producer's dead letters carry no source partition) after them.
      for (let i = 0; i < 150; i++) side.sendTracked(config.TOPIC_LATE, `o${i}`, Buffer.from("o"), {}, 0);
      await side.barrier();
      expect(await side.lastSourceOffset(config.TOPIC_LATE, 0)).toBe(9);
      expect(await side.lastSourceOffset(config.TOPIC_AGGREGATES, 0)).toBeNull();
      await expect(side.lastSourceOffset(config.TOPIC_LATE, 1)).rejects.toThrow(
        /partition 1: cannot read back .*\(it has 1 partitions: it needs as many as the users topic/,
      );
    } finally {
      await side.close();
    }
  });
});
