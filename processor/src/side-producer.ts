import { KafkaJS } from "@confluentinc/kafka-javascript";
import type { Config } from "../../common/src/config.ts";
import type { Logger } from "../../common/src/logger.ts";

export type Headers = Record<string, string | Buffer>;

/**
 * Kafka output of the processor. Late events and dead letters are part of the exactly-once effect, so each
 * send is tracked until acknowledged (idempotent producer, acks=all) and barrier() waits for them before a
 * checkpoint. Window updates for the live view are fire-and-forget with a small linger for latency.
 */
export class SideProducer {
  private readonly producer: KafkaJS.Producer;
  private readonly inFlight = new Set<Promise<void>>();
  private failed: Error | null = null;

  constructor(
    config: Config,
    private readonly log: Logger,
    clientId: string,
  ) {
    this.producer = new KafkaJS.Kafka({}).producer({
      "bootstrap.servers": config.KAFKA_BOOTSTRAP,
      "client.id": clientId,
      "enable.idempotence": true,
      acks: -1,
      "linger.ms": 5,
      "compression.type": "lz4",
      "message.timeout.ms": 0,
      kafkaJS: { logLevel: KafkaJS.logLevel.ERROR },
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** Pending tracked sends (late events, dead letters). */
  pending(): number {
    return this.inFlight.size;
  }

  /** Sends and tracks until acknowledged; a send that fails is retried by librdkafka without end. */
  sendTracked(topic: string, key: Buffer | string | null, value: Buffer, headers: Headers): void {
    const p = this.producer
      .send({ topic, messages: [{ key, value, headers }] })
      .then(() => undefined)
      .catch((err: Error) => {
        // message.timeout.ms=0 means only a fatal producer error gets here: no checkpoint may pass it.
        this.failed = err;
        this.log.error({ topic, err: err.message }, "tracked send failed");
      });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Resolves when every tracked send made before the call is acknowledged; throws after a fatal failure. */
  async barrier(): Promise<void> {
    await Promise.all([...this.inFlight]);
    if (this.failed) throw new Error(`a late/dead-letter message was not delivered: ${this.failed.message}`);
  }

  /** Untracked: the live view tolerates a lost update (the next one, or the final row, replaces it). */
  sendUntracked(topic: string, messages: { key: string; value: string }[]): void {
    if (messages.length === 0) return;
    this.producer.send({ topic, messages }).catch((err: Error) => {
      this.log.warn({ topic, count: messages.length, err: err.message }, "live update not delivered");
    });
  }

  async close(): Promise<void> {
    await this.producer.flush({ timeout: 10_000 }).catch(() => undefined);
    await this.producer.disconnect();
  }
}
