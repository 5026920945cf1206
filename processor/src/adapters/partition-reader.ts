import type { LibrdKafkaError, Message, RdKafka } from "@confluentinc/kafka-javascript";
import type { Config } from "../../../common/src/config.ts";
import { createBatchConsumer } from "../../../common/src/kafka-consumer.ts";
import type { SourceRecord } from "../ports.ts";

const call = <T>(f: (cb: (err: LibrdKafkaError | null | undefined, v: T) => void) => void) =>
  new Promise<T>((resolve, reject) => f((err, v) => (err ? reject(new Error(err.message)) : resolve(v))));

/**
 * The users topic read by explicit partition and offset range, outside any consumer group (assign()
 * only, nothing committed): a rebuild reads what the live processor read, beside it, without taking
 * its partitions away.
 */
export class PartitionReader {
  private readonly consumer: RdKafka.KafkaConsumer;
  private readonly topic: string;

  constructor(config: Config, clientId: string) {
    this.topic = config.TOPIC_USERS;
    this.consumer = createBatchConsumer(
      {
        "bootstrap.servers": config.KAFKA_BOOTSTRAP,
        // Never joins: assign() only.
        "group.id": `${clientId}-reader`,
        "client.id": clientId,
        "enable.auto.commit": false,
        "fetch.wait.max.ms": 50,
      },
      // A position Kafka no longer holds is an error, never a silent jump to what is left.
      { "auto.offset.reset": "error" },
      { consumeTimeoutMs: 200 },
    );
  }

  connect(): Promise<void> {
    return call<unknown>((cb) => this.consumer.connect({ timeout: 30_000 }, cb)).then(() => undefined);
  }

  async partitions(): Promise<number> {
    const meta = await call<RdKafka.Metadata>((cb) =>
      this.consumer.getMetadata({ topic: this.topic, timeout: 10_000 }, cb),
    );
    const n = meta.topics.find((t) => t.name === this.topic)?.partitions.length ?? 0;
    if (n === 0) throw new Error(`topic ${this.topic} does not exist`);
    return n;
  }

  /** The partition's first offset Kafka still holds (log start) and its end. */
  async bounds(partition: number): Promise<{ low: number; high: number }> {
    const w = await call<RdKafka.WatermarkOffsets>((cb) =>
      this.consumer.queryWatermarkOffsets(this.topic, partition, 10_000, cb),
    );
    return { low: w.lowOffset, high: w.highOffset };
  }

  /**
   * Records [from, to) of the partition, in batches of up to `batch`, handed to `each` in offset order;
   * `each` returns false to stop early. Fails when Kafka no longer has `from` or skips an offset.
   */
  async read(
    partition: number,
    from: number,
    to: number,
    batch: number,
    each: (records: SourceRecord[]) => boolean | Promise<boolean>,
  ): Promise<void> {
    if (from >= to) return;
    this.consumer.assign([{ topic: this.topic, partition, offset: from }]);
    try {
      let next = from;
      while (next < to) {
        const got = await call<Message[]>((cb) => this.consumer.consume(batch, cb));
        const records: SourceRecord[] = [];
        for (const m of got) {
          if (m.partition !== partition || m.offset < next) continue;
          if (m.offset >= to) {
            next = to;
            break;
          }
          // Offsets of a plain (non-transactional) topic are dense: a jump means deleted records.
          if (m.offset !== next) {
            throw new Error(
              `partition ${partition}: offset ${m.offset} follows ${next - 1}: records ${next}..${m.offset - 1} are gone (retention deleted them during the rebuild)`,
            );
          }
          records.push(m as SourceRecord);
          next = m.offset + 1;
        }
        if (records.length > 0 && !(await each(records))) return;
      }
    } finally {
      this.consumer.unassign();
    }
  }

  /** The value of the record at `offset`, or null when Kafka no longer holds it. */
  async recordAt(partition: number, offset: number): Promise<SourceRecord | null> {
    const { low, high } = await this.bounds(partition);
    if (offset < low || offset >= high) return null;
    let found: SourceRecord | null = null;
    await this.read(partition, offset, offset + 1, 1, (records) => {
      found = records[0] ?? null;
      return false;
    });
    return found;
  }

  async close(): Promise<void> {
    await call<unknown>((cb) => this.consumer.disconnect(cb)).catch(() => undefined);
  }
}
