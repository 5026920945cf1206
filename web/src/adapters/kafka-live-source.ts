import { randomUUID } from "node:crypto";
import type { RdKafka } from "@confluentinc/kafka-javascript";
import { decodeAggregateMessage } from "../../../common/src/contracts/aggregate-message.ts";
import { createBatchConsumer } from "../../../common/src/kafka-consumer.ts";
import type { LiveSource } from "../ports.ts";
import type { WindowRow } from "../window-types.ts";

export interface KafkaLiveSourceOptions {
  bootstrap: string;
  topic: string;
  /** Where to start: the first message at or after now - lookbackMs, else the end. */
  lookbackMs: number;
  maxBatch?: number;
  onInvalid?: (reason: string, partition: number, offset: number) => void;
  onError?: (err: { message: string }) => void;
  /** Wait between attempts while the topic does not exist yet. */
  retryMs?: number;
}

const OFFSET_END = -1;

const promisify = <T>(f: (cb: (err: unknown, v: T) => void) => void) =>
  new Promise<T>((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v))));

/**
 * Reads TOPIC_AGGREGATES for the live charts. It assigns every partition itself (no group
 * membership, no commits): each web process wants all rows, and replays a recent stretch at start.
 * Node only: librdkafka does not load under Bun.
 */
export class KafkaLiveSource implements LiveSource {
  private consumer: RdKafka.KafkaConsumer | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: KafkaLiveSourceOptions) {}

  async start(onRows: (rows: WindowRow[], producedAt: number | null) => void): Promise<void> {
    const consumer = createBatchConsumer(
      {
        "bootstrap.servers": this.opts.bootstrap,
        "group.id": `rt-web-live-${randomUUID()}`,
        "enable.auto.commit": false,
        "allow.auto.create.topics": false,
        "client.id": "rt-web-live",
        // Live charts want rows promptly rather than in big fetches.
        "fetch.wait.max.ms": 50,
        "socket.nagle.disable": true,
        log_level: 3,
      },
      { "auto.offset.reset": "latest" },
      // Rows go out as soon as the first of a batch is there instead of after the whole timeout: every
      // update would otherwise reach the browser up to 100 ms later.
      { consumeTimeoutMs: 100 },
    );
    this.consumer = consumer;
    consumer.on("event.error", (err) => this.opts.onError?.(err));
    await promisify((cb) => consumer.connect({ timeout: 10_000 }, cb));
    const partitions = await this.waitForPartitions(consumer);
    if (this.stopped) return;
    const since = Date.now() - this.opts.lookbackMs;
    const byTime = await promisify<RdKafka.TopicPartitionOffset[]>((cb) =>
      consumer.offsetsForTimes(
        partitions.map((partition) => ({ topic: this.opts.topic, partition, offset: since })),
        10_000,
        cb,
      ),
    );
    const start = new Map(byTime.map((o) => [o.partition, o.offset >= 0 ? o.offset : OFFSET_END]));
    consumer.assign(
      partitions.map((partition) => ({
        topic: this.opts.topic,
        partition,
        offset: start.get(partition) ?? OFFSET_END,
      })),
    );
    this.poll(consumer, onRows);
  }

  private async waitForPartitions(consumer: RdKafka.KafkaConsumer): Promise<number[]> {
    for (;;) {
      const meta = await promisify<RdKafka.Metadata>((cb) =>
        consumer.getMetadata({ topic: this.opts.topic, timeout: 10_000 }, cb),
      );
      const t = meta.topics.find((x) => x.name === this.opts.topic);
      if (t && t.partitions.length > 0) return t.partitions.map((p) => p.id).sort((a, b) => a - b);
      if (this.stopped) return [];
      await new Promise((r) => setTimeout(r, this.opts.retryMs ?? 2000));
    }
  }

  private poll(
    consumer: RdKafka.KafkaConsumer,
    onRows: (rows: WindowRow[], producedAt: number | null) => void,
  ): void {
    if (this.stopped) return;
    consumer.consume(this.opts.maxBatch ?? 1000, (err, messages) => {
      if (err) this.opts.onError?.(err);
      const rows: WindowRow[] = [];
      let producedAt: number | null = null;
      for (const m of messages ?? []) {
        const d = decodeAggregateMessage(m.value);
        if (d.kind === "row") {
          rows.push(d.row);
          if (d.producedAt !== null && (producedAt === null || d.producedAt < producedAt))
            producedAt = d.producedAt;
        } else if (d.kind === "invalid") this.opts.onInvalid?.(d.reason, m.partition, m.offset);
      }
      if (rows.length > 0) onRows(rows, producedAt);
      // consume() already waits up to its timeout on librdkafka's thread; only an error (broker
      // gone) returns at once, and must not turn this into a busy loop.
      this.timer = setTimeout(() => this.poll(consumer, onRows), err ? 1000 : 0);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.consumer;
    this.consumer = null;
    if (c?.isConnected()) await new Promise<void>((r) => c.disconnect(() => r()));
  }
}
