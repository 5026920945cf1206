import { randomUUID } from "node:crypto";
import { RdKafka } from "@confluentinc/kafka-javascript";
import { KafkaUnavailableError, type TopicMessage, type TopicQuery, type TopicReader } from "../ports.ts";

const promisify = <T>(f: (cb: (err: unknown, v: T) => void) => void) =>
  new Promise<T>((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v))));

interface Range {
  partition: number;
  from: number;
  /** Exclusive. */
  to: number;
}

/** How long one read may take before it returns what it has (a broker that stopped answering). */
const READ_DEADLINE_MS = 8_000;

/**
 * Reads offset ranges of any topic for the console (dead letters, topic browser). One consumer, connected
 * on first use, assigns the ranges itself (no group membership, no commits) and reads are one at a time,
 * so the console never holds more than one fetch's worth of messages per partition read. Node only.
 */
export class KafkaTopicReader implements TopicReader {
  private consumer: RdKafka.KafkaConsumer | null = null;
  private connecting: Promise<RdKafka.KafkaConsumer> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly bootstrap: string) {}

  read(topic: string, q: TopicQuery): Promise<TopicMessage[]> {
    return this.serial(async (c) => {
      const parts = q.partition === undefined ? await this.partitions(c, topic) : [q.partition];
      const ranges: Range[] = [];
      for (const partition of parts) {
        const { lowOffset, highOffset } = await this.watermarks(c, topic, partition);
        if (q.from !== undefined) {
          const from = Math.max(lowOffset, q.from);
          ranges.push({ partition, from, to: Math.min(highOffset, from + q.limit) });
        } else ranges.push({ partition, from: Math.max(lowOffset, highOffset - q.limit), to: highOffset });
      }
      const messages = await this.readRanges(c, topic, ranges);
      if (q.from !== undefined) return messages;
      return messages
        .sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0) || b.offset - a.offset)
        .slice(0, q.limit);
    });
  }

  message(topic: string, partition: number, offset: number): Promise<TopicMessage | null> {
    return this.serial(async (c) => {
      const { lowOffset, highOffset } = await this.watermarks(c, topic, partition);
      if (offset < lowOffset || offset >= highOffset) return null;
      const [m] = await this.readRanges(c, topic, [{ partition, from: offset, to: offset + 1 }]);
      return m?.offset === offset ? m : null;
    });
  }

  between(topic: string, from: number, to: number, limit: number): Promise<TopicMessage[]> {
    return this.serial(async (c) => {
      const parts = await this.partitions(c, topic);
      const at = (t: number) =>
        promisify<RdKafka.TopicPartitionOffset[]>((cb) =>
          c.offsetsForTimes(
            parts.map((partition) => ({ topic, partition, offset: t })),
            5_000,
            cb,
          ),
        );
      const [starts, ends] = await Promise.all([at(from), at(to)]);
      const ranges: Range[] = [];
      for (const partition of parts) {
        const { highOffset } = await this.watermarks(c, topic, partition);
        const s = starts.find((o) => o.partition === partition)?.offset ?? -1;
        const e = ends.find((o) => o.partition === partition)?.offset ?? -1;
        // -1: no message at or after that time.
        const start = s < 0 ? highOffset : s;
        const end = e < 0 ? highOffset : e;
        if (end > start) ranges.push({ partition, from: start, to: Math.min(end, start + limit) });
      }
      const messages = await this.readRanges(c, topic, ranges);
      return messages
        .filter((m) => m.timestamp === null || (m.timestamp >= from && m.timestamp < to))
        .slice(0, limit);
    });
  }

  async close(): Promise<void> {
    const c = this.consumer;
    this.consumer = null;
    this.connecting = null;
    if (c?.isConnected()) await new Promise<void>((r) => c.disconnect(() => r()));
  }

  private serial<T>(f: (c: RdKafka.KafkaConsumer) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      let c: RdKafka.KafkaConsumer;
      try {
        c = await this.ready();
      } catch (err) {
        throw new KafkaUnavailableError(`Kafka ${this.bootstrap} did not answer: ${(err as Error).message}`);
      }
      return f(c);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private ready(): Promise<RdKafka.KafkaConsumer> {
    if (this.consumer?.isConnected()) return Promise.resolve(this.consumer);
    this.connecting ??= (async () => {
      const c = new RdKafka.KafkaConsumer(
        {
          "bootstrap.servers": this.bootstrap,
          "group.id": `rt-web-console-${randomUUID()}`,
          "enable.auto.commit": false,
          "allow.auto.create.topics": false,
          "client.id": "rt-web-console",
          "fetch.wait.max.ms": 50,
          log_level: 3,
        },
        { "auto.offset.reset": "earliest" },
      );
      c.on("event.error", () => undefined);
      await promisify((cb) => c.connect({ timeout: 10_000 }, cb));
      c.setDefaultConsumeTimeout(200);
      this.consumer = c;
      return c;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async partitions(c: RdKafka.KafkaConsumer, topic: string): Promise<number[]> {
    const meta = await promisify<RdKafka.Metadata>((cb) => c.getMetadata({ topic, timeout: 5_000 }, cb));
    const t = meta.topics.find((x) => x.name === topic);
    return (t?.partitions ?? []).map((p) => p.id).sort((a, b) => a - b);
  }

  private watermarks(c: RdKafka.KafkaConsumer, topic: string, partition: number) {
    return promisify<RdKafka.WatermarkOffsets>((cb) => c.queryWatermarkOffsets(topic, partition, 5_000, cb));
  }

  private async readRanges(
    c: RdKafka.KafkaConsumer,
    topic: string,
    ranges: Range[],
  ): Promise<TopicMessage[]> {
    const open = ranges.filter((r) => r.to > r.from);
    if (open.length === 0) return [];
    const pending = new Map(open.map((r) => [r.partition, r]));
    const out: TopicMessage[] = [];
    c.assign(open.map((r) => ({ topic, partition: r.partition, offset: r.from })));
    try {
      const deadline = Date.now() + READ_DEADLINE_MS;
      while (pending.size > 0 && Date.now() < deadline) {
        const batch = await promisify<RdKafka.Message[]>((cb) => c.consume(500, cb));
        for (const m of batch) {
          const r = pending.get(m.partition);
          if (!r || m.offset < r.from || m.offset >= r.to) continue;
          out.push(toMessage(m));
          if (m.offset >= r.to - 1) pending.delete(m.partition);
        }
        // Offsets with no message (compaction, transaction markers) are never delivered: the position says so.
        if (batch.length === 0) {
          for (const p of c.position(open.map((r) => ({ topic, partition: r.partition })))) {
            const r = pending.get(p.partition);
            if (r && p.offset >= r.to) pending.delete(p.partition);
          }
        }
      }
    } finally {
      c.unassign();
    }
    return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  }
}

function toMessage(m: RdKafka.Message): TopicMessage {
  const headers: Record<string, string> = {};
  for (const h of m.headers ?? []) for (const [k, v] of Object.entries(h)) headers[k] = v.toString();
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    timestamp: m.timestamp !== undefined && m.timestamp >= 0 ? m.timestamp : null,
    key: m.key === null || m.key === undefined ? null : m.key.toString(),
    headers,
    value: m.value === null ? null : new Uint8Array(m.value.buffer, m.value.byteOffset, m.value.byteLength),
  };
}
