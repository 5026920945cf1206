import {
  type LibrdKafkaError,
  type Message,
  RdKafka,
  type TopicPartition,
  type TopicPartitionOffset,
} from "@confluentinc/kafka-javascript";
import type { Config } from "../../../common/src/config.ts";
import { createBatchConsumer } from "../../../common/src/kafka-consumer.ts";
import type { Logger } from "../../../common/src/logger.ts";
import { withTimeout } from "../../../common/src/timeouts.ts";
import { OFFSET_BEGINNING, type RebalanceHandler, type RecordSource } from "../ports.ts";

/** How often the broker is asked for the end offsets of the owned partitions (see endOffsetsConfirmed()). */
const END_OFFSET_PROBE_MS = 500;
/** An answer older than this no longer confirms anything: about three probes missed. */
const END_OFFSET_CONFIRMED_FOR_MS = 1_500;

export interface SourceOptions {
  clientId: string;
  /** librdkafka pre-fetch bound per partition, in KiB: bounds memory while processing is paused. */
  queuedMaxKbytes: number;
  /** How long a partition whose pre-fetch queue is full waits before it is fetched again. */
  fetchQueueBackoffMs: number;
}

/**
 * The users topic read through the native librdkafka consumer (consume(n): batches without the per-message
 * promise machinery of the KafkaJS-compatible API). Rebalances are handled by the caller, asynchronously:
 * librdkafka waits for assign()/unassign(), so state can be checkpointed and restored in between. Offsets are
 * never auto-committed: the checkpoint in Cassandra is the source of truth, Kafka commits only show lag.
 */
export class KafkaSource implements RecordSource {
  private readonly consumer: RdKafka.KafkaConsumer;
  private handler: RebalanceHandler | null = null;
  private rebalancing: Promise<void> = Promise.resolve();
  private readonly owned = new Set<number>();
  /** Bumped whenever the fetch positions change (assign, unassign, seek); see generation(). */
  private gen = 0;
  /** When a probe last had an answer for every owned partition (Date.now()); 0: never. */
  private confirmedAt = 0;
  /** End offsets the probes were last told, per partition: the end of a partition not fetched from yet. */
  private readonly probedEnd = new Map<number, number>();
  private probing = false;
  private probeTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    opts: SourceOptions,
  ) {
    this.consumer = createBatchConsumer(
      {
        "bootstrap.servers": config.KAFKA_BOOTSTRAP,
        "group.id": config.CONSUMER_GROUP,
        "client.id": opts.clientId,
        "enable.auto.commit": false,
        "enable.auto.offset.store": false,
        "partition.assignment.strategy": "range",
        "queued.max.messages.kbytes": opts.queuedMaxKbytes,
        "fetch.queue.backoff.ms": opts.fetchQueueBackoffMs,
        "fetch.wait.max.ms": 50,
        "session.timeout.ms": 10_000,
        "heartbeat.interval.ms": 1_000,
        "max.poll.interval.ms": 300_000,
        "socket.keepalive.enable": true,
        rebalance_cb: (err: LibrdKafkaError, assignment: TopicPartition[]) =>
          this.onRebalance(err, assignment),
      },
      { "auto.offset.reset": "earliest" },
      { consumeTimeoutMs: 100 },
    );
    this.consumer.on("event.error", (err) => this.log.warn({ err: err.message }, "kafka consumer error"));
  }

  async start(handler: RebalanceHandler): Promise<void> {
    this.handler = handler;
    await new Promise<void>((resolve, reject) => {
      this.consumer.connect({ timeout: 30_000 }, (err) => (err ? reject(err) : resolve()));
    });
    this.consumer.subscribe([this.config.TOPIC_USERS]);
    this.probeTimer = setInterval(() => this.probeEndOffsets(), END_OFFSET_PROBE_MS);
    this.probeTimer.unref();
  }

  endOffsetsConfirmed(): boolean {
    return Date.now() - this.confirmedAt <= END_OFFSET_CONFIRMED_FOR_MS;
  }

  /**
   * A ListOffsets round trip per owned partition to its leader. The fetcher's cached end offsets
   * (highWatermark()) stay as they were while the broker is down, so they cannot say "nothing more to read".
   */
  private probeEndOffsets(): void {
    if (this.probing) return;
    this.probing = true;
    const askedAt = Date.now();
    const topic = this.config.TOPIC_USERS;
    const answers = Promise.all(
      [...this.owned].map(
        (partition) =>
          new Promise<void>((resolve, reject) => {
            this.consumer.queryWatermarkOffsets(
              topic,
              partition,
              END_OFFSET_CONFIRMED_FOR_MS,
              (err, offsets) => {
                if (err) return reject(err);
                if (offsets.highOffset >= 0 && this.owned.has(partition))
                  this.probedEnd.set(partition, offsets.highOffset);
                resolve();
              },
            );
          }),
      ),
    );
    // A probe whose answer never comes (a callback lost while a broker restarts) must not hold the clock
    // for good: the next one is asked after this bound.
    withTimeout(answers, 2 * END_OFFSET_CONFIRMED_FOR_MS, "end offset probe unanswered")
      .then(
        () => {
          this.confirmedAt = Math.max(this.confirmedAt, askedAt);
        },
        (err: Error) => this.log.debug({ err: err.message }, "end offsets not confirmed by the broker"),
      )
      .finally(() => {
        this.probing = false;
      });
  }

  /**
   * Counts changes of the fetch positions. A consume() called at generation g returns no message fetched
   * before g: librdkafka drops what was fetched for a position it left (its op version barrier).
   */
  generation(): number {
    return this.gen;
  }

  /** Up to `max` messages; an empty array after ~100 ms without any. */
  consume(max: number): Promise<Message[]> {
    return new Promise((resolve, reject) => {
      this.consumer.consume(max, (err, messages) => (err ? reject(err) : resolve(messages)));
    });
  }

  pause(partitions: number[]): void {
    if (partitions.length > 0) this.consumer.pause(partitions.map((partition) => this.tp(partition)));
  }

  resume(partitions: number[]): void {
    if (partitions.length > 0) this.consumer.resume(partitions.map((partition) => this.tp(partition)));
  }

  /** Moves an assigned partition's fetch position; resolves with the generation from which it holds. */
  seek(partition: number, offset: number, timeoutMs = 5_000): Promise<number> {
    return new Promise((resolve, reject) => {
      this.consumer.seek({ topic: this.config.TOPIC_USERS, partition, offset }, timeoutMs, (err) => {
        if (err) reject(err);
        else resolve(++this.gen);
      });
    });
  }

  /** Commits the checkpointed offsets (asynchronously; for lag visibility only). */
  commit(offsets: Map<number, number>): void {
    const list: TopicPartitionOffset[] = [];
    for (const [partition, offset] of offsets) {
      if (this.owned.has(partition)) list.push({ topic: this.config.TOPIC_USERS, partition, offset });
    }
    if (list.length === 0) return;
    try {
      this.consumer.commit(list);
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, "offset commit skipped");
    }
  }

  /** High watermark (end offset) last seen by the fetcher, for lag; undefined before the first fetch. */
  highWatermark(partition: number): number | undefined {
    try {
      const w = this.consumer.getWatermarkOffsets(this.config.TOPIC_USERS, partition);
      if (w.highOffset >= 0) return w.highOffset;
    } catch {
      // Not fetched from yet: the probe's answer, if any.
    }
    return this.probedEnd.get(partition);
  }

  /** Revokes what is owned (checkpointing through the handler), then leaves the group. */
  async stop(): Promise<void> {
    if (this.probeTimer) clearInterval(this.probeTimer);
    await this.rebalancing;
    const owned = [...this.owned];
    if (owned.length > 0 && this.handler) {
      await this.handler.revoked(owned);
      this.owned.clear();
      this.probedEnd.clear();
    }
    await new Promise<void>((resolve) => {
      this.consumer.disconnect(() => resolve());
    });
  }

  private tp(partition: number): TopicPartition {
    return { topic: this.config.TOPIC_USERS, partition };
  }

  private onRebalance(err: LibrdKafkaError, assignment: TopicPartition[]): void {
    const partitions = assignment.map((a) => a.partition);
    // Serialized: a revoke must finish (its checkpoint written) before the next assignment is loaded.
    this.rebalancing = this.rebalancing.then(async () => {
      const handler = this.handler;
      if (!handler) return;
      try {
        if (err.code === RdKafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) {
          const offsets = await handler.assigned(partitions);
          this.consumer.assign(
            partitions.map((partition) => ({
              topic: this.config.TOPIC_USERS,
              partition,
              offset: offsets.get(partition) ?? OFFSET_BEGINNING,
            })),
          );
          for (const p of partitions) this.owned.add(p);
          handler.positioned(partitions, ++this.gen);
          this.log.info({ partitions, offsets: Object.fromEntries(offsets) }, "partitions assigned");
        } else if (err.code === RdKafka.CODES.ERRORS.ERR__REVOKE_PARTITIONS) {
          const mine = partitions.filter((p) => this.owned.has(p));
          await handler.revoked(mine);
          for (const p of mine) {
            this.owned.delete(p);
            this.probedEnd.delete(p);
          }
          this.consumer.unassign();
          this.gen++;
          this.log.info({ partitions: mine }, "partitions revoked");
        } else {
          this.log.warn({ err: err.message }, "rebalance error");
        }
      } catch (e) {
        this.log.error({ err: (e as Error).message }, "rebalance handling failed");
        if (this.consumer.isConnected()) this.consumer.unassign();
      }
    });
  }
}
