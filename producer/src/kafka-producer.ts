import { KafkaJS } from "@confluentinc/kafka-javascript";
import type { Config } from "../../common/src/config.ts";

/** Where the ingestor sends messages: resolved once Kafka acknowledged it, rejected if it never will. */
export interface MessageSink {
  send(topic: string, key: string | null, value: Buffer, headers: Record<string, string>): Promise<void>;
}

export interface EventProducer extends MessageSink {
  close(): Promise<void>;
}

export interface ProducerTuning {
  /** How long librdkafka keeps retrying a message before reporting it failed. */
  deliveryTimeoutMs: number;
  lingerMs: number;
  /** Messages librdkafka may hold unacknowledged; the ingestor stays below it. */
  queueMessages: number;
}

export const DEFAULT_TUNING: ProducerTuning = {
  deliveryTimeoutMs: 120_000,
  lingerMs: 20,
  queueMessages: 200_000,
};

/**
 * The pipeline's producer: idempotent with acks=all (no loss, no duplicates from retries), lz4 compression,
 * and batches large enough for throughput — up to 1 MiB or 10 000 messages a batch, lingering a few ms.
 */
export async function connectProducer(
  config: Config,
  tuning: ProducerTuning = DEFAULT_TUNING,
): Promise<EventProducer> {
  const producer = new KafkaJS.Kafka({}).producer({
    "bootstrap.servers": config.KAFKA_BOOTSTRAP,
    "client.id": "rt-producer",
    "enable.idempotence": true,
    acks: -1,
    "compression.type": "lz4",
    "linger.ms": tuning.lingerMs,
    "batch.size": 1_048_576,
    "batch.num.messages": 10_000,
    "queue.buffering.max.messages": tuning.queueMessages,
    "queue.buffering.max.kbytes": 1_048_576,
    "message.timeout.ms": tuning.deliveryTimeoutMs,
    kafkaJS: { logLevel: KafkaJS.logLevel.ERROR },
  });
  await producer.connect();
  return {
    async send(topic, key, value, headers) {
      await producer.send({ topic, messages: [{ key, value, headers }] });
    },
    async close() {
      await producer.flush({ timeout: tuning.deliveryTimeoutMs });
      await producer.disconnect();
    },
  };
}
