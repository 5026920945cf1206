import { type LibrdKafkaError, type Message, RdKafka } from "@confluentinc/kafka-javascript";
import type { Config } from "../../../common/src/config.ts";

export interface SideOutputLogOptions {
  clientId: string;
  /** Bound of one partition's read; past it the read fails (the assignment, hence the processor, with it). */
  timeoutMs: number;
}

/** Messages read per step back from a partition's end, doubled each step. */
const FIRST_STEP = 64;

const call = <T>(f: (cb: (err: LibrdKafkaError | null | undefined, v: T) => void) => void) =>
  new Promise<T>((resolve, reject) => f((err, v) => (err ? reject(new Error(err.message)) : resolve(v))));

const headerOf = (m: Message, name: string): string | undefined => {
  for (const h of m.headers ?? []) {
    const v = (h as Record<string, Buffer | string | undefined>)[name];
    if (v !== undefined) return v.toString();
  }
  return undefined;
};

/**
 * Reads back what the late and dead-letter topics already hold for a source partition
 * (docs/exactly-once.md, "Late events and dead letters"): the side outputs of source partition p are
 * written to partition p of their topic, in source-offset order, so the highest `source_offset` among the
 * messages of that partition whose `source_partition` is p says up to where a replay must not send again.
 * The partition is read backwards from its end in growing steps (other writers, the producer's dead
 * letters, may sit in between), with a consumer outside any group, bounded in time.
 */
export class SideOutputLog {
  private readonly consumer: RdKafka.KafkaConsumer;
  private connected: Promise<void> | null = null;
  /** One read at a time: the consumer's assignment is the read's. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    config: Config,
    private readonly opts: SideOutputLogOptions,
  ) {
    this.consumer = new RdKafka.KafkaConsumer(
      {
        "bootstrap.servers": config.KAFKA_BOOTSTRAP,
        // Never joins: assign() only, nothing committed.
        "group.id": `${opts.clientId}-side-log`,
        "client.id": `${opts.clientId}-side-log`,
        "enable.auto.commit": false,
        "enable.partition.eof": true,
        "fetch.wait.max.ms": 50,
      },
      { "auto.offset.reset": "earliest" },
    );
    this.consumer.setDefaultConsumeTimeout(100);
  }

  /** The highest source offset of `sourcePartition` already on partition `sourcePartition` of `topic`. */
  lastSourceOffset(topic: string, sourcePartition: number): Promise<number | null> {
    const run = this.queue.then(() => this.read(topic, sourcePartition));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async read(topic: string, p: number): Promise<number | null> {
    const deadline = Date.now() + this.opts.timeoutMs;
    const fail = (why: string) =>
      new Error(
        `${topic} partition ${p}: cannot read back which side outputs of source partition ${p} it holds (${why}); not processing the partition rather than sending them twice`,
      );
    try {
      this.connected ??= call<unknown>((cb) =>
        this.consumer.connect({ timeout: this.opts.timeoutMs }, cb),
      ).then(() => undefined);
      await this.connected;
      const meta = await call<RdKafka.Metadata>((cb) =>
        this.consumer.getMetadata({ topic, timeout: Math.max(1, deadline - Date.now()) }, cb),
      );
      const count = meta.topics.find((t) => t.name === topic)?.partitions.length ?? 0;
      if (p >= count) throw new Error(`it has ${count} partitions: it needs as many as the users topic`);
      const { lowOffset, highOffset } = await call<RdKafka.WatermarkOffsets>((cb) =>
        this.consumer.queryWatermarkOffsets(topic, p, Math.max(1, deadline - Date.now()), cb),
      );
      let end = highOffset;
      let step = FIRST_STEP;
      while (end > lowOffset) {
        const start = Math.max(lowOffset, end - step);
        const found = await this.scan(topic, p, start, end, deadline);
        if (found !== null) return found;
        end = start;
        step *= 2;
      }
      return null;
    } catch (err) {
      throw fail((err as Error).message);
    }
  }

  /** The highest source offset of p among the messages [start, end) of partition p. */
  private async scan(topic: string, p: number, start: number, end: number, deadline: number) {
    this.consumer.assign([{ topic, partition: p, offset: start }]);
    try {
      let best: number | null = null;
      for (let next = start; next < end; ) {
        if (Date.now() > deadline) throw new Error(`not read within ${this.opts.timeoutMs} ms`);
        const batch = await call<Message[]>((cb) => this.consumer.consume(500, cb));
        for (const m of batch) {
          if (m.offset < next) continue;
          next = m.offset + 1;
          if (m.offset >= end) break;
          if (headerOf(m, "source_partition") !== String(p)) continue;
          const offset = Number(headerOf(m, "source_offset"));
          if (Number.isSafeInteger(offset) && (best === null || offset > best)) best = offset;
        }
      }
      return best;
    } finally {
      this.consumer.unassign();
    }
  }

  async close(): Promise<void> {
    if (this.connected === null) return;
    await this.connected.catch(() => undefined);
    await call<unknown>((cb) => this.consumer.disconnect(cb)).catch(() => undefined);
  }
}
