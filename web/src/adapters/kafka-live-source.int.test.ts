import { randomBytes } from "node:crypto";
import { KafkaJS } from "@confluentinc/kafka-javascript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../common/src/config.ts";
import type { WindowRow } from "../window-types.ts";
import { KafkaLiveSource } from "./kafka-live-source.ts";

const cfg = loadConfig();
const topic = `web_live_it_${randomBytes(4).toString("hex")}`;
const kafka = new KafkaJS.Kafka({
  kafkaJS: { brokers: [cfg.KAFKA_BOOTSTRAP], logLevel: KafkaJS.logLevel.ERROR },
});
const producer = kafka.producer();

const row = (windowStart: number, partition: number, count: number): WindowRow => ({
  windowStart,
  windowEnd: windowStart + 10_000,
  group: "all",
  key: "*",
  partition,
  count,
  sumAge: count * 30,
  minAge: 30,
  maxAge: 30,
  final: false,
});

const send = (rows: WindowRow[]) =>
  producer.send({
    topic,
    messages: rows.map((r) => ({
      key: `all|*|${r.windowStart}|${r.partition}`,
      partition: r.partition,
      value: JSON.stringify(r),
    })),
  });

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("KafkaLiveSource against the real Kafka", () => {
  const admin = kafka.admin();
  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 3,
          replicationFactor: 1,
          configEntries: [{ name: "cleanup.policy", value: "compact" }],
        },
      ],
    });
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  it("reads every partition from the lookback on, then new rows; bad messages are reported and skipped", async () => {
    await send([row(0, 0, 1), row(0, 1, 2), row(0, 2, 3)]);
    await producer.send({ topic, messages: [{ key: "bad", partition: 1, value: "{not json" }] });
    const invalid: string[] = [];
    const source = new KafkaLiveSource({
      bootstrap: cfg.KAFKA_BOOTSTRAP,
      topic,
      lookbackMs: 600_000,
      onInvalid: (r) => invalid.push(r),
    });
    const seen: WindowRow[] = [];
    try {
      await source.start((rows) => seen.push(...rows));
      await waitFor(() => seen.length >= 3, "the first rows");
      expect(seen.map((r) => r.partition).sort()).toEqual([0, 1, 2]);
      await send([row(10_000, 2, 7)]);
      await waitFor(() => seen.length >= 4, "a new row");
      expect(seen[3]).toEqual(row(10_000, 2, 7));
      expect(invalid).toEqual([expect.stringMatching(/^not JSON/)]);
    } finally {
      await source.stop();
    }
  });
});
