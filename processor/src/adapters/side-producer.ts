import { KafkaJS } from "@confluentinc/kafka-javascript";
import type { Backoff } from "../../../common/src/backoff.ts";
import type { Config } from "../../../common/src/config.ts";
import type { Logger } from "../../../common/src/logger.ts";
import { PermanentError, retry } from "../../../common/src/retry.ts";
import type { Headers, OutputTopics } from "../ports.ts";
import { SideOutputLog } from "./side-output-log.ts";

/** librdkafka's "Local: Queue full": produce() refuses at once while its queue is at its bound. */
const ERR_QUEUE_FULL = -184;

/** Waits of a tracked send that found the local queue full: 5, 10, 20, 40, then 50 ms. */
const QUEUE_FULL_POLL: Backoff = { baseMs: 5, maxMs: 50 };

export interface SideProducerOptions {
  clientId: string;
  /** Called once when a tracked message can never be delivered: the processor must stop. */
  onFatal: (err: Error) => void;
  /** librdkafka queue bound of the tracked producer (messages); a full queue is waited out. */
  trackedQueueMessages?: number;
  /** Queue bound of the live producer (messages); updates beyond it are dropped and counted. */
  liveQueueMessages?: number;
  /** How long a live update may wait for the broker before it is dropped. */
  liveTimeoutMs?: number;
  /** Bound of the read back of a late / dead-letter partition on assignment (lastSourceOffset). */
  readBackTimeoutMs?: number;
}

const codeOf = (err: unknown): number | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
};

/**
 * Kafka output of the processor. Late events and dead letters are part of the exactly-once effect, so each
 * send is tracked until acknowledged (idempotent producer, acks=all, no message timeout) and barrier() waits
 * for them before a checkpoint. A full local queue is waited out with backoff; any other refusal (a message
 * over the size limit, a topic the broker will not take) is permanent: reported through onFatal, and no
 * checkpoint passes it.
 *
 * Window updates for the live view go through a producer of their own, with a bounded queue and a
 * finite timeout, so a backlog of them can never starve the tracked sends; an update that does not fit or
 * expires is dropped and counted (the next one, or the final row, replaces it).
 */
export class SideProducer implements OutputTopics {
  private readonly tracked: KafkaJS.Producer;
  private readonly live: KafkaJS.Producer;
  private readonly readBack: SideOutputLog;
  private readonly inFlight = new Set<Promise<void>>();
  private failed: Error | null = null;
  private closing = false;
  private queueFullWaits = 0;
  private liveDropped = 0;
  private lastLiveWarn = 0;

  constructor(
    config: Config,
    private readonly log: Logger,
    private readonly opts: SideProducerOptions,
  ) {
    this.readBack = new SideOutputLog(config, {
      clientId: opts.clientId,
      timeoutMs: opts.readBackTimeoutMs ?? 30_000,
    });
    const kafka = new KafkaJS.Kafka({});
    this.tracked = kafka.producer({
      "bootstrap.servers": config.KAFKA_BOOTSTRAP,
      "client.id": opts.clientId,
      "enable.idempotence": true,
      acks: -1,
      "linger.ms": 5,
      "compression.type": "lz4",
      "message.timeout.ms": 0,
      ...(opts.trackedQueueMessages === undefined
        ? {}
        : { "queue.buffering.max.messages": opts.trackedQueueMessages }),
      kafkaJS: { logLevel: KafkaJS.logLevel.ERROR },
    });
    this.live = kafka.producer({
      "bootstrap.servers": config.KAFKA_BOOTSTRAP,
      "client.id": `${opts.clientId}-live`,
      "enable.idempotence": true,
      acks: -1,
      // Each publish hands over its rows in one send: nothing more is coming to wait for.
      "linger.ms": 0,
      // Small sends of a live view: Nagle's algorithm would hold them for the broker's delayed ACK.
      "socket.nagle.disable": true,
      "compression.type": "lz4",
      "message.timeout.ms": opts.liveTimeoutMs ?? 30_000,
      "queue.buffering.max.messages": opts.liveQueueMessages ?? 50_000,
      kafkaJS: { logLevel: KafkaJS.logLevel.ERROR },
    });
  }

  async connect(): Promise<void> {
    await Promise.all([this.tracked.connect(), this.live.connect()]);
  }

  /** Pending tracked sends (late events, dead letters). */
  pending(): number {
    return this.inFlight.size;
  }

  /** Times a tracked send found the local queue full and waited. */
  queueFullRetries(): number {
    return this.queueFullWaits;
  }

  /** Live updates dropped (queue full, expired or refused). */
  liveUpdatesDropped(): number {
    return this.liveDropped;
  }

  /** Sends and tracks until acknowledged; librdkafka retries transient broker errors without end. */
  sendTracked(
    topic: string,
    key: Buffer | string | null,
    value: Buffer,
    headers: Headers,
    partition: number,
  ): void {
    const p = this.deliver(topic, key, value, headers, partition);
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async deliver(
    topic: string,
    key: Buffer | string | null,
    value: Buffer,
    headers: Headers,
    partition: number,
  ): Promise<void> {
    try {
      await retry(
        // A fresh message object each attempt: the client rewrites the one it is given.
        () => this.tracked.send({ topic, messages: [{ key, value, partition, headers: { ...headers } }] }),
        {
          what: topic,
          // Room comes back as soon as the broker acknowledges a few messages: poll, without growing.
          backoff: QUEUE_FULL_POLL,
          permanent: (err) =>
            codeOf(err) === ERR_QUEUE_FULL && !this.closing && this.failed === null ? null : "refused",
          onRetry: () => {
            this.queueFullWaits++;
          },
        },
      );
    } catch (failure) {
      const err = failure instanceof PermanentError ? failure.cause : failure;
      const e = new Error(
        `${topic}: a late/dead-letter message (${value.length} bytes) cannot be delivered: ${(err as Error).message}`,
      );
      if (this.failed === null) {
        this.failed = e;
        this.log.error({ topic, bytes: value.length, err: (err as Error).message }, "tracked send failed");
        this.opts.onFatal(e);
      }
    }
  }

  lastSourceOffset(topic: string, sourcePartition: number): Promise<number | null> {
    return this.readBack.lastSourceOffset(topic, sourcePartition);
  }

  /** Resolves when every tracked send made before the call is acknowledged; throws after a fatal failure. */
  async barrier(): Promise<void> {
    await Promise.all([...this.inFlight]);
    if (this.failed) throw this.failed;
  }

  /** Untracked: the live view tolerates a lost update (the next one, or the final row, replaces it). */
  sendUntracked(topic: string, messages: { key: string; value: string }[]): void {
    if (messages.length === 0) return;
    this.live.send({ topic, messages }).catch((err: Error) => {
      // One refused message fails the whole send; the others may still arrive, so this over-counts a little.
      this.liveDropped += messages.length;
      const now = Date.now();
      if (now - this.lastLiveWarn >= 10_000) {
        this.lastLiveWarn = now;
        this.log.warn(
          { topic, count: messages.length, droppedSoFar: this.liveDropped, err: err.message },
          "live updates not delivered",
        );
      }
    });
  }

  async close(timeoutMs = 10_000): Promise<void> {
    this.closing = true;
    await Promise.all([
      this.tracked.flush({ timeout: timeoutMs }).catch(() => undefined),
      this.live.flush({ timeout: timeoutMs }).catch(() => undefined),
    ]);
    await Promise.all([this.tracked.disconnect(), this.live.disconnect(), this.readBack.close()]);
  }
}
