import { RdKafka } from "@confluentinc/kafka-javascript";
import type { Config } from "../../common/src/config.ts";
import { PARTITIONER } from "../../common/src/partitioner.ts";

/** Kafka message headers as librdkafka takes them: one single-key object per header. */
export type MessageHeaders = Record<string, string>[];

type DeliveryCallback = (err: Error | null) => void;

/**
 * Where the ingestor sends messages. `onDelivery` runs once: with null when Kafka acknowledged the message,
 * with the error when it never will. A callback rather than a promise: at full speed the two promises per
 * message a promise API needs are a measurable part of the producer's CPU.
 */
export interface MessageSink {
  produce(
    topic: string,
    key: string | null,
    value: Buffer,
    headers: MessageHeaders,
    onDelivery: DeliveryCallback,
  ): void;
}

export interface EventProducer extends MessageSink {
  /** produce() as a promise, for callers that send little. */
  send(topic: string, key: string | null, value: Buffer, headers: MessageHeaders): Promise<void>;
  close(): Promise<void>;
}

export interface ProducerTuning {
  /** How long librdkafka keeps retrying a message before reporting it failed. */
  deliveryTimeoutMs: number;
  lingerMs: number;
  /** Messages librdkafka may hold unacknowledged; the ingestor stays below it. */
  queueMessages: number;
}

const QUEUE_FULL_RETRY_MS = 5;

function isQueueFull(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === RdKafka.CODES.ERRORS.ERR__QUEUE_FULL;
}

export const DEFAULT_TUNING: ProducerTuning = {
  deliveryTimeoutMs: 120_000,
  // librdkafka's own default: an event waits at most this long for its batch, and it is the first hop of
  // produce → browser (bench: at 20 ms it was half of the hop to Kafka's acknowledgement at 10 000/s). At
  // full speed batches fill to batch.num.messages / batch.size before it expires.
  lingerMs: 5,
  queueMessages: 200_000,
};

/**
 * The pipeline's producer: idempotent with acks=all (no loss, no duplicates from retries), lz4 compression,
 * and batches large enough for throughput — up to 1 MiB or 10 000 messages a batch, lingering a few ms.
 * It uses the library's librdkafka-level Producer with per-message delivery reports: the KafkaJS-style
 * send() wraps every call in a batch of promises, which costs a third of the throughput at full speed.
 */
export async function connectProducer(
  config: Config,
  tuning: ProducerTuning = DEFAULT_TUNING,
): Promise<EventProducer> {
  const producer = new RdKafka.Producer({
    "bootstrap.servers": config.KAFKA_BOOTSTRAP,
    "client.id": "rt-producer",
    "enable.idempotence": true,
    partitioner: PARTITIONER,
    acks: -1,
    "compression.type": "lz4",
    "linger.ms": tuning.lingerMs,
    "batch.size": 1_048_576,
    "batch.num.messages": 10_000,
    "queue.buffering.max.messages": tuning.queueMessages,
    "queue.buffering.max.kbytes": 1_048_576,
    "message.timeout.ms": tuning.deliveryTimeoutMs,
    dr_cb: true,
  });
  producer.on("delivery-report", (err, report) => {
    const onDelivery = report.opaque as DeliveryCallback;
    onDelivery(err ? new Error(`delivery to ${report.topic} failed: ${err.message}`) : null);
  });
  await new Promise<void>((resolve, reject) => {
    producer.connect({ timeout: 30_000 }, (err) =>
      err ? reject(new Error(`kafka ${config.KAFKA_BOOTSTRAP}: cannot connect: ${err.message}`)) : resolve(),
    );
  });
  producer.setPollInBackground(true);
  const produce: MessageSink["produce"] = (topic, key, value, headers, onDelivery) => {
    const attempt = (): void => {
      try {
        producer.produce(topic, null, value, key, Date.now(), onDelivery, headers);
      } catch (err) {
        // A full local queue is back-pressure, not a failure: retry once librdkafka has sent some.
        if (isQueueFull(err)) setTimeout(attempt, QUEUE_FULL_RETRY_MS);
        else onDelivery(err instanceof Error ? err : new Error(String(err)));
      }
    };
    attempt();
  };
  return {
    produce,
    send: (topic, key, value, headers) =>
      new Promise<void>((resolve, reject) =>
        produce(topic, key, value, headers, (err) => (err ? reject(err) : resolve())),
      ),
    close: () =>
      flushThenDisconnect(
        config.KAFKA_BOOTSTRAP,
        () =>
          new Promise<void>((resolve, reject) =>
            producer.flush(tuning.deliveryTimeoutMs, (err) => (err ? reject(err) : resolve())),
          ),
        () => new Promise<void>((resolve) => producer.disconnect(() => resolve())),
      ),
  };
}

/**
 * Closing waits for what is in flight, then disconnects — also when the flush fails (timed out, broker
 * gone), so a failed close never leaves librdkafka's threads and connections behind. The flush error is
 * still reported: the records it names may not have been acknowledged.
 */
export async function flushThenDisconnect(
  bootstrap: string,
  flush: () => Promise<void>,
  disconnect: () => Promise<void>,
): Promise<void> {
  let flushError: unknown = null;
  try {
    await flush();
  } catch (err) {
    flushError = err;
  }
  await disconnect();
  if (flushError !== null) {
    const message = flushError instanceof Error ? flushError.message : String(flushError);
    throw new Error(`kafka ${bootstrap}: producer closed without flushing everything: ${message}`, {
      cause: flushError,
    });
  }
}
